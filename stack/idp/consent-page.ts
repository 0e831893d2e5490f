import { isEmail, normalizeEmail, type Identity } from "./identities.ts";

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export type ConsentPageInput = {
  title: string;
  /** The page's own URL; every form posts back to it. */
  action: string;
  clientId: string;
  identities: readonly Identity[];
  /** The request's `prompt`, shown so a developer can see what the app asked for. */
  prompt?: string;
  error?: string;
  email?: string;
  name?: string;
};

const PROMPT_WORDS: Record<string, string> = {
  select_account: "to choose an account",
  consent: "to confirm access again",
};

/** "The app asked to choose an account and to confirm access again (prompt=select_account consent)." */
function promptNote(prompt: string): string {
  const words = prompt.split(" ").filter(Boolean).map((p) => PROMPT_WORDS[p] ?? `for ${p}`);
  if (words.length === 0) return "";
  return `<p class="note" data-prompt="${escapeHtml(prompt)}">The app asked ${escapeHtml(words.join(" and "))} (<code>prompt=${escapeHtml(prompt)}</code>).</p>`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.35rem;margin-top:0}h2{font-size:1rem;margin:1.5rem 0 .5rem}
ul{list-style:none;padding:0;margin:0}li{margin:.4rem 0}
button{font:inherit;cursor:pointer;border:1px solid #a1a1aa;border-radius:.375rem;background:#fff;padding:.5rem .75rem}
button:focus-visible,input:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
li button{width:100%;text-align:left}.email{display:block;color:#52525b;font-size:.875rem}
label{display:block;margin:.6rem 0 .2rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.45rem;border:1px solid #a1a1aa;border-radius:.375rem}
.actions{margin-top:.8rem}.cancel{margin-top:1.5rem;border-top:1px solid #e4e4e7;padding-top:1rem}
[role=alert]{color:#991b1b;background:#fef2f2;border:1px solid #fecaca;padding:.5rem;border-radius:.375rem}
.note{color:#52525b;font-size:.875rem}`;

export function renderConsentPage(input: ConsentPageInput): string {
  const action = escapeHtml(input.action);
  const people = input.identities
    .map(
      (person) =>
        `<li><button type="submit" name="email" value="${escapeHtml(person.email)}">` +
        `<span class="name">${escapeHtml(person.name)}</span> <span class="email">${escapeHtml(person.email)}</span></button></li>`,
    )
    .join("\n");
  const pick = people
    ? `<section aria-labelledby="pick-heading">
<h2 id="pick-heading">Choose an account</h2>
<form method="post" action="${action}">
<input type="hidden" name="action" value="continue">
<ul>
${people}
</ul>
</form>
</section>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(input.title)}</h1>
<p class="note">Development emulator: no real account is used. Signing in to <strong>${escapeHtml(input.clientId)}</strong>.</p>
${input.prompt ? promptNote(input.prompt) : ""}
${input.error ? `<p role="alert">${escapeHtml(input.error)}</p>` : ""}
${pick}
<section aria-labelledby="other-heading">
<h2 id="other-heading">Use another account</h2>
<form method="post" action="${action}">
<input type="hidden" name="action" value="continue">
<label for="email">Email</label>
<input id="email" name="email" type="email" required autocomplete="email" value="${escapeHtml(input.email ?? "")}">
<label for="name">Name (optional)</label>
<input id="name" name="name" type="text" autocomplete="name" value="${escapeHtml(input.name ?? "")}">
<div class="actions"><button type="submit">Continue</button></div>
</form>
</section>
<form class="cancel" method="post" action="${action}">
<input type="hidden" name="action" value="cancel">
<button type="submit">Cancel</button>
</form>
</main>
</body>
</html>
`;
}

export type ConsentChoice =
  | { kind: "cancel" }
  | { kind: "identity"; email: string; name?: string }
  | { kind: "invalid"; message: string; email: string; name: string };

export function parseConsentForm(form: URLSearchParams): ConsentChoice {
  if (form.get("action") === "cancel") return { kind: "cancel" };
  const rawEmail = form.get("email") ?? "";
  const rawName = (form.get("name") ?? "").trim();
  const email = normalizeEmail(rawEmail);
  if (!isEmail(email)) {
    return { kind: "invalid", message: "Enter a valid email address.", email: rawEmail, name: rawName };
  }
  if (rawName.length > 200) {
    return { kind: "invalid", message: "The name is too long.", email: rawEmail, name: "" };
  }
  return rawName ? { kind: "identity", email, name: rawName } : { kind: "identity", email };
}
