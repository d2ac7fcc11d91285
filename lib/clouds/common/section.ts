/**
 * A configured cloud's auth (its section's `auth`). A connection refuses every place of a cloud
 * that is not configured before it asks for a credential, so a section is there when this is called.
 */
export function configuredAuth<Auth>(section: { readonly auth: Auth } | undefined): Auth {
  if (section === undefined) throw new TypeError("a cloud that is not configured has no auth");
  return section.auth;
}
