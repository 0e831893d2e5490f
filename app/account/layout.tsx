import type { ReactNode } from "react";
import { Providers } from "@/components/providers";

/** The account area fetches its data on the client through React Query; pages outside it ship without it. */
export default function AccountLayout({ children }: { children: ReactNode }) {
  return <Providers>{children}</Providers>;
}
