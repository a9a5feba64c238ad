"""A real OpenID Provider for the single sign-on tests (the npm package `oidc-provider`)."""
