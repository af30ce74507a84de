"""Names other apps read: the session key that says the identity provider asked for the second factor."""

# Set (to the time.time() of the sign-in) on a session signed in through a configuration whose identity provider
# enforces a second factor (IdentityProvider.enforces_mfa); absent on every other session. The accounts app's MFA
# middleware reads it to count the second factor as done for that session.
MFA_BY_IDENTITY_PROVIDER_SESSION_KEY = "_mfa_by_identity_provider"
