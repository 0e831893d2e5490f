import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The local stack lives in stack/ and is never part of the app bundle.
  outputFileTracingExcludes: { "*": ["stack/**", ".stack/**", "e2e/**"] },
};

export default nextConfig;
