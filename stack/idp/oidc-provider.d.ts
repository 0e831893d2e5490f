// oidc-provider ships no type declarations; this covers the part of its API the emulators use.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type UnknownObject = Record<string, unknown>;

  export interface OidcSession {
    accountId?: string;
    loginAccount(details: { accountId: string; transient?: boolean }): void;
    grantIdFor(clientId: string, grantId?: string): string | undefined;
  }

  export interface OidcClient {
    clientId: string;
  }

  export interface OidcContext {
    params: Record<string, string | undefined>;
    client: OidcClient;
    session: OidcSession;
    account?: { accountId: string };
    result?: UnknownObject;
    provider: Provider;
  }

  export interface KoaContextWithOIDC {
    oidc: OidcContext;
    status: number;
    body: unknown;
    method: string;
    path: string;
    response: { get(field: string): string | string[] | undefined };
    set(field: string, value: string | string[]): void;
    remove(field: string): void;
  }

  export type ResponseModeHandler = (
    ctx: KoaContextWithOIDC,
    redirectUri: string,
    payload: Record<string, string>,
  ) => void | Promise<void>;

  export interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface AccessToken {
    accountId: string;
    clientId: string;
    scopes: Set<string>;
    isExpired: boolean;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[] };
    params: Record<string, string | undefined>;
  }

  export type InteractionResult =
    | { login: { accountId: string; remember?: boolean }; consent?: { grantId: string }; select_account?: UnknownObject }
    | { error: string; error_description?: string };

  export class Provider {
    constructor(issuer: string, configuration: UnknownObject);
    readonly issuer: string;
    proxy: boolean;
    Grant: new (init: { accountId: string; clientId: string }) => Grant;
    AccessToken: { find(value: string): Promise<AccessToken | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    registerResponseMode(name: string, handler: ResponseModeHandler): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }

  type ErrorClass<A extends unknown[]> = new (...args: A) => Error & { error: string; error_description?: string };

  export const errors: {
    AccessDenied: ErrorClass<[description?: string]>;
    InvalidRequest: ErrorClass<[description?: string]>;
    CustomOIDCProviderError: ErrorClass<[error: string, description?: string]>;
    SessionNotFound: ErrorClass<[description?: string]>;
  };

  export namespace interactionPolicy {
    class Check {
      constructor(reason: string, description: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>);
    }
    class Prompt {
      constructor(options: { name: string; requestable?: boolean }, ...checks: Check[]);
      readonly name: string;
      requestable: boolean;
      readonly checks: Check[] & { remove(reason: string): void };
    }
    type Policy = Prompt[] & {
      get(name: string): Prompt | undefined;
      add(prompt: Prompt, index?: number): void;
      remove(name: string): void;
    };
    function base(): Policy;
  }

  export default Provider;
}
