/**
 * Flow log objects where the clouds put them (docs/flows-sources.md): a local file or folder
 * (GCP's logs, copied down from the sink's bucket, and any cloud's), `s3://bucket/prefix`, and
 * `https://<account>.blob.core.windows.net/<container>/<prefix>`. Objects are listed lazily, in
 * name order, and each is read only when opened, as plain text whether it was stored gzipped or
 * not.
 */
import type { LogObject } from "../model.js";
import { type AzureBlobSourceOptions, azureBlobObjects } from "./azure-blob.js";
import { EmptyLocationError } from "./errors.js";
import { fileObjects } from "./files.js";
import { type FlowLogLocation, parseLocation } from "./location.js";
import { type S3SourceOptions, s3Objects } from "./s3.js";

export { CONNECTION_STRING_VARIABLE } from "./azure-blob.js";
export type { AzureBlobSourceOptions, FlowLogLocation, S3SourceOptions };
export { parseLocation };

export interface LogSourceOptions {
  readonly s3?: S3SourceOptions;
  readonly azure?: AzureBlobSourceOptions;
  /** Where AWS_REGION, AWS_DEFAULT_REGION and AZURE_STORAGE_CONNECTION_STRING are read (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The log objects at `location`. A location that is not one of the forms is refused here, before
 * any I/O (InvalidLocationError); one that holds no object ends the iteration with
 * EmptyLocationError, so that a mistyped prefix is not read as "no flows".
 */
export function logObjects(location: string, options: LogSourceOptions = {}): AsyncIterable<LogObject> {
  const parsed = parseLocation(location);
  return nonEmpty(location, objectsAt(parsed, options));
}

function objectsAt(location: FlowLogLocation, options: LogSourceOptions): AsyncIterable<LogObject> {
  const env = options.env ?? process.env;
  switch (location.kind) {
    case "path":
      return fileObjects(location.path);
    case "s3":
      return s3Objects(location.bucket, location.prefix, options.s3 ?? {}, env);
    case "azure-blob":
      return azureBlobObjects(location, options.azure ?? {}, env);
  }
}

async function* nonEmpty(location: string, objects: AsyncIterable<LogObject>): AsyncGenerator<LogObject> {
  let count = 0;
  for await (const object of objects) {
    count += 1;
    yield object;
  }
  if (count === 0) throw new EmptyLocationError(location);
}
