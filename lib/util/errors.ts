/** Errors of lib/util. */

/** segsync's own package.json cannot be found or read: an installation that is incomplete. */
export class PackageManifestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PackageManifestError";
  }
}
