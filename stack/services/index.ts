import { describeAuth } from "./auth.ts";
import { describeIdp } from "./idp.ts";
import { describePostgres } from "./postgres.ts";
import type { ServiceDescription, StackContext } from "./types.ts";

export const SERVICE_NAMES = ["postgres", "idp", "auth"] as const;

export function describeServices(ctx: StackContext): ServiceDescription[] {
  return orderServices([describePostgres(ctx), describeIdp(ctx), describeAuth(ctx)]);
}

/** Dependencies first; otherwise the given order. Throws on an unknown dependency or a cycle. */
export function orderServices(services: ServiceDescription[]): ServiceDescription[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: ServiceDescription[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (service: ServiceDescription, path: string[]) => {
    if (state.get(service.name) === "done") return;
    if (state.get(service.name) === "visiting") {
      throw new Error(`service dependency cycle: ${[...path, service.name].join(" → ")}`);
    }
    state.set(service.name, "visiting");
    for (const name of service.dependsOn) {
      const dependency = byName.get(name);
      if (!dependency) throw new Error(`service ${service.name} depends on unknown service ${name}`);
      visit(dependency, [...path, service.name]);
    }
    state.set(service.name, "done");
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}
