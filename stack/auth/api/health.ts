import type { App } from "../app.ts";
import { KNOWN_PROVIDERS } from "../config.ts";
import { json, type Route } from "../http.ts";

export function healthRoutes(app: App): Route[] {
  return [
    {
      method: "GET",
      pattern: "/health",
      handler: async () =>
        json(200, { version: "", name: "GoTrue", description: "GoTrue is a user registration and authentication API" }),
    },
    {
      method: "GET",
      pattern: "/settings",
      handler: async () => {
        const external: Record<string, boolean> = {};
        for (const name of KNOWN_PROVIDERS) {
          external[name] = name === "email" || (name in app.config.providers);
        }
        return json(200, {
          external,
          disable_signup: app.config.disableSignup,
          mailer_autoconfirm: false,
          phone_autoconfirm: false,
          sms_provider: "",
          saml_enabled: false,
          saml_private_key_next_configured: true,
          passkeys_enabled: false,
        });
      },
    },
    {
      method: "GET",
      pattern: "/.well-known/jwks.json",
      open: true,
      handler: async () => json(200, app.keys.jwks(), { "cache-control": "public, max-age=600" }),
    },
    {
      method: "GET",
      pattern: "/.well-known/openid-configuration",
      open: true,
      handler: async () => {
        const base = app.config.externalUrl;
        return json(200, {
          issuer: base,
          authorization_endpoint: `${base}/oauth/authorize`,
          token_endpoint: `${base}/oauth/token`,
          jwks_uri: `${base}/.well-known/jwks.json`,
          userinfo_endpoint: `${base}/oauth/userinfo`,
          scopes_supported: ["openid", "profile", "email", "phone", "offline_access"],
          response_types_supported: ["code"],
          response_modes_supported: ["query"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256", "HS256", "ES256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
          claims_supported: [
            "sub", "aud", "iss", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "phone_number",
            "phone_number_verified", "name", "picture", "preferred_username", "updated_at",
          ],
          code_challenge_methods_supported: ["S256", "plain"],
        });
      },
    },
  ];
}
