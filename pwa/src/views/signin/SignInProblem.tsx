// The page a failed single sign-on lands on (/sign-in?problem=<code>&provider=<key>): what
// happened, in words the person can act on, whom to ask, and a way to try again.
import { useEffect, useRef, useState } from "preact/hooks";
import type { SsoProvider } from "../../api/types";
import { navigate } from "../../router";
import { loadProviders, problemWords, rememberedSchool, returnPath, SIGN_IN_PATH, startUrl } from "./sso";

/** The problem page for one of the server's problem codes (SSO_PROBLEMS). */
export function SignInProblem({ code, providerKey }: { code: string; providerKey: string | null }) {
  const words = problemWords(code);
  const heading = useRef<HTMLHeadingElement>(null);
  const [provider, setProvider] = useState<SsoProvider | null>(null);
  const school = rememberedSchool();

  useEffect(() => {
    // Focus the heading, so a screen reader starts here and a keyboard is one Tab from "Try again".
    heading.current?.focus();
    document.title = `${words.title} · Hallpass`;
    return () => {
      document.title = "Hallpass";
    };
  }, [words.title]);

  useEffect(() => {
    if (!providerKey) return;
    let current = true;
    void loadProviders(school).then(
      (found) => current && setProvider(found.providers.find((p) => p.key === providerKey) ?? null),
      () => undefined, // offline: "Try again" still starts the same provider
    );
    return () => {
      current = false;
    };
  }, [providerKey, school]);

  const back = SIGN_IN_PATH + (school ? `?school=${encodeURIComponent(school)}` : "");
  return (
    <main class="login" id="main">
      <section class="card login__card sign-in-problem" aria-labelledby="problem-title" data-problem={code}>
        <img src="/icons/icon.svg" alt="" width={56} height={56} />
        <h1 id="problem-title" ref={heading} tabIndex={-1}>
          {words.title}
        </h1>
        <div role="alert" class="sign-in-problem__words">
          <p>{words.detail}</p>
          <p>
            <strong>What to do:</strong> {words.ask}
          </p>
        </div>
        <div class="stack">
          {providerKey ? (
            <a class="btn btn--primary btn--wide" href={startUrl(providerKey, school ?? provider?.school?.slug ?? null, returnPath())}>
              Try again{provider ? ` with ${provider.label}` : ""}
            </a>
          ) : (
            <a
              class="btn btn--primary btn--wide"
              href={back}
              onClick={(event) => {
                event.preventDefault();
                navigate(back);
              }}
            >
              Try again
            </a>
          )}
          <a
            class="btn btn--wide"
            href={back}
            onClick={(event) => {
              event.preventDefault();
              navigate(back);
            }}
          >
            Other ways to sign in
          </a>
        </div>
        <p class="muted sign-in-problem__code">
          For the helpdesk: {code}
          {providerKey ? ` · ${providerKey}` : ""}
        </p>
      </section>
    </main>
  );
}
