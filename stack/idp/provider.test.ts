import { describe, expect, it } from "vitest";
import { appleSpec } from "./apple.ts";
import { renderConsentPage } from "./consent-page.ts";
import { googleSpec } from "./google.ts";
import { authorizeParamsFor } from "./provider.ts";
import type { StateStore } from "./state.ts";

const noState: StateStore = { file: "", claimFirstAppleAuthorization: () => false, flush: async () => {} };

describe("authorizeParamsFor", () => {
  const request = new URLSearchParams({
    client_id: "c",
    redirect_uri: "http://127.0.0.1:1/callback",
    response_type: "code",
    scope: "email profile",
    state: "s",
    prompt: "select_account",
    access_type: "offline",
    hd: "example.com",
    max_age: "0",
    login_hint: "ada@example.com",
    prompt_action: "cancel",
  });

  it("Google: adds openid and keeps everything else for the provider to check", () => {
    const out = authorizeParamsFor(googleSpec, request);
    expect(out.get("scope")).toBe("openid email profile");
    expect([...out.keys()]).toEqual([...request.keys()]);
  });

  it("Apple: keeps its own parameters and the emulator's shortcuts, drops the rest", () => {
    const out = authorizeParamsFor(appleSpec(noState), new URLSearchParams({ ...Object.fromEntries(request), response_mode: "form_post", nonce: "n" }));
    expect(Object.fromEntries(out)).toEqual({
      client_id: "c",
      redirect_uri: "http://127.0.0.1:1/callback",
      response_type: "code",
      scope: "openid email profile",
      state: "s",
      login_hint: "ada@example.com",
      prompt_action: "cancel",
      response_mode: "form_post",
      nonce: "n",
    });
  });

  it("leaves the caller's parameters untouched", () => {
    authorizeParamsFor(appleSpec(noState), request);
    expect(request.get("prompt")).toBe("select_account");
    expect(request.get("scope")).toBe("email profile");
  });
});

describe("the consent page names the request's prompt", () => {
  const base = { title: "Sign in with Google (emulator)", action: "/google/interaction/x", clientId: "c", identities: [] };

  it("in words and as sent", () => {
    expect(renderConsentPage({ ...base, prompt: "select_account consent" })).toContain(
      "The app asked to choose an account and to confirm access again (<code>prompt=select_account consent</code>).",
    );
  });

  it("says nothing without a prompt, and escapes what it shows", () => {
    expect(renderConsentPage(base)).not.toContain("prompt=");
    const page = renderConsentPage({ ...base, prompt: '<script>"x"' });
    expect(page).not.toContain("<script>\"x\"");
    expect(page).toContain("&lt;script&gt;&quot;x&quot;");
  });
});
