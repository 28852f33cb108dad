"""Single sign-on with OpenID Connect: the flow, ID token checks, accounts made from claims."""
