/**
 * Run by sources-azure.azurite.test.ts in a child process whose NODE_EXTRA_CA_CERTS trusts the
 * https Azurite's certificate (Node reads it only at start). Seeds blobs with the connection
 * string in AZURITE_CONNECTION_STRING, then reads them back as segsync does without one: with a
 * token credential. Prints one JSON object: what was read, the scopes asked for, and the error of
 * a read whose token Azurite refuses.
 */

import { gzipSync } from "node:zlib";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { logObjects } from "../../lib/flows/sources/index.js";
import { namesAndTexts } from "./sources-support.js";

const [location = "", endpoint = "", container = ""] = process.argv.slice(2);
const connectionString = process.env.AZURITE_CONNECTION_STRING ?? "";

/** A JWT as Azurite's basic OAuth checks it: issuer, audience, lifetime; the signature is not. */
function token(audience: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = {
    aud: audience,
    iss: "https://sts.windows.net/11111111-2222-4333-8444-555555555555/",
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
  };
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2ln`;
}

function credential(audience: string, scopes: string[]): TokenCredential {
  return {
    async getToken(asked): Promise<AccessToken> {
      scopes.push(...(Array.isArray(asked) ? asked : [asked]));
      return { token: token(audience), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

const blobs = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
await blobs.create();
await blobs.getBlockBlobClient("logs/a.json").upload("plain", 5);
const gzipped = gzipSync("gunzipped");
await blobs.getBlockBlobClient("logs/b.json").upload(gzipped, gzipped.length);

const scopes: string[] = [];
const env = {};
const read = await namesAndTexts(
  logObjects(location, {
    env,
    azure: { endpoint, credential: credential("https://storage.azure.com", scopes) },
  }),
);
const refused = await namesAndTexts(
  logObjects(location, {
    env,
    azure: { endpoint, maxTries: 1, credential: credential("https://vault.azure.net", []) },
  }),
).catch((error: unknown) => ({ name: (error as Error).name, message: (error as Error).message }));
process.stdout.write(JSON.stringify({ read, scopes: [...new Set(scopes)], refused }));
