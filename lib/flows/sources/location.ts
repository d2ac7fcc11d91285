/**
 * The flow log locations segsync reads (docs/flows-sources.md): a local file or folder, an S3
 * prefix, an Azure Blob Storage prefix. Everything else is refused here, before any I/O, with
 * what is wrong and what to write instead.
 */
import { fileURLToPath } from "node:url";
import { InvalidLocationError } from "./errors.js";

export type FlowLogLocation =
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string }
  | {
      readonly kind: "azure-blob";
      readonly account: string;
      /** `https://<account>.blob.<suffix>`: how objects are named, whatever endpoint is read. */
      readonly origin: string;
      readonly container: string;
      readonly prefix: string;
    };

// S3 general purpose bucket names; dots allowed, but not two in a row nor beside a hyphen.
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Buckets made in us-east-1 before March 2018 may also hold capitals and underscores, up to 255.
const S3_LEGACY_BUCKET = /^(?=.*[A-Z_])[A-Za-z0-9._-]{3,255}$/;
const S3_KEY_MAX_BYTES = 1024;
// Azure storage account and container names.
const AZURE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const AZURE_CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
/** The blob endpoints of Azure's public, US Government and China clouds. */
const AZURE_BLOB_HOST =
  /^([^.]+)\.blob\.(core\.windows\.net|core\.usgovcloudapi\.net|core\.chinacloudapi\.cn)$/;
const AZURE_BLOB_NAME_MAX = 1024;

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const HTTPS_FORM = "https://<account>.blob.core.windows.net/<container>/<prefix>";
const NOT_READ: Readonly<Record<string, string>> = {
  gs: "Cloud Storage is not read directly: copy the logs down with `gcloud storage cp -r` and name the folder",
  az: `az:// names no storage account: write ${HTTPS_FORM}`,
  azure: `azure:// names no storage account: write ${HTTPS_FORM}`,
  abfs: `write the blob endpoint's URL, ${HTTPS_FORM}`,
  abfss: `write the blob endpoint's URL, ${HTTPS_FORM}`,
  wasb: `write the blob endpoint's URL, ${HTTPS_FORM}`,
  wasbs: `write the blob endpoint's URL, ${HTTPS_FORM}`,
};

export function parseLocation(location: string): FlowLogLocation {
  const fail = (reason: string): never => {
    throw new InvalidLocationError(withoutSecrets(location), reason);
  };
  if (location.trim() === "") fail("it is empty");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(location)) fail("it holds a control character");
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "path", path: location };
  if (scheme === "s3") return s3Location(location.slice("s3://".length), fail);
  if (scheme === "https" || scheme === "http") return azureBlobLocation(location, fail);
  if (scheme === "file") return { kind: "path", path: filePath(location, fail) };
  return fail(NOT_READ[scheme] ?? `segsync reads files, folders, s3:// and ${HTTPS_FORM}, not ${scheme}://`);
}

type Fail = (reason: string) => never;

function s3Location(rest: string, fail: Fail): FlowLogLocation {
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? "" : rest.slice(slash + 1);
  if (bucket === "") fail("it names no bucket: write s3://<bucket>/<prefix>");
  const standard = S3_BUCKET.test(bucket) && !/\.\.|\.-|-\./.test(bucket);
  if (!standard && !S3_LEGACY_BUCKET.test(bucket)) {
    fail(`${JSON.stringify(bucket)} is not an S3 bucket name (3 to 63 of a-z, 0-9, "." and "-")`);
  }
  if (Buffer.byteLength(prefix) > S3_KEY_MAX_BYTES) fail(`the prefix is over ${S3_KEY_MAX_BYTES} bytes`);
  return { kind: "s3", bucket, prefix };
}

function azureBlobLocation(location: string, fail: Fail): FlowLogLocation {
  const url = parsedUrl(location, fail);
  const host = AZURE_BLOB_HOST.exec(url.hostname);
  if (host === null) fail(`an https location must be an Azure Blob Storage URL, ${HTTPS_FORM}`);
  const [, account = "", suffix = ""] = host ?? [];
  if (url.protocol !== "https:") fail("Azure Blob Storage is read over https only");
  if (!AZURE_ACCOUNT.test(account)) fail(`${JSON.stringify(account)} is not a storage account name`);
  if (url.username !== "" || url.password !== "") fail("it holds a user name or password");
  if (url.port !== "") fail("it names a port: the blob endpoint has none");
  if (url.search !== "" || url.hash !== "") {
    // A SAS token there would be printed with every object's name.
    fail("it has a query or fragment: give a SAS token in AZURE_STORAGE_CONNECTION_STRING instead");
  }
  const path = decodedPath(url.pathname, fail);
  const slash = path.indexOf("/");
  const container = slash === -1 ? path : path.slice(0, slash);
  const prefix = slash === -1 ? "" : path.slice(slash + 1);
  if (container === "") fail(`it names no container: write ${HTTPS_FORM}`);
  if (!AZURE_CONTAINER.test(container)) fail(`${JSON.stringify(container)} is not a container name`);
  if (prefix.length > AZURE_BLOB_NAME_MAX) fail(`the prefix is over ${AZURE_BLOB_NAME_MAX} characters`);
  return { kind: "azure-blob", account, origin: `https://${account}.blob.${suffix}`, container, prefix };
}

function parsedUrl(location: string, fail: Fail): URL {
  try {
    return new URL(location);
  } catch {
    return fail("it is not a URL");
  }
}

/** The path after the host, percent-decoding undone, without its leading slash. */
function decodedPath(pathname: string, fail: Fail): string {
  try {
    return decodeURIComponent(pathname.slice(1));
  } catch {
    return fail("its path has a malformed percent-escape");
  }
}

function filePath(location: string, fail: Fail): string {
  try {
    return fileURLToPath(location);
  } catch (error) {
    return fail(`it is not a local file URL (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The location as an error may show it: a URL's query and fragment (a SAS token) and its
 * password are replaced, so that a refusal never prints a secret.
 */
export function withoutSecrets(location: string): string {
  if (!SCHEME.test(location)) return location;
  return location
    .replace(/^([^:]+:\/\/[^/?#:@]*):[^/?#@]*@/, "$1:<redacted>@")
    .replace(/[?#].*$/s, "?<redacted>");
}
