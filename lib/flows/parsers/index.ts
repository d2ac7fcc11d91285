/**
 * Reads one flow log object in its cloud's native format (docs/flows.md): `parseFlowLog` yields
 * every record as a flow, a record without one (skipped) or a malformed one naming the object
 * and line; the format is told from the first bytes when the caller does not name it.
 */
import type { Readable } from "node:stream";
import { FlowLogFormatError, FlowLogReadError } from "../errors.js";
import type { FlowLogFormat, LogObject, ParsedRecord } from "../model.js";
import { parseAwsText } from "./aws.js";
import { type AwsLayout, callerLayout } from "./aws-format.js";
import { parseAzureBlob } from "./azure.js";
import { parseGcpEntries } from "./gcp.js";
import { openText } from "./open-text.js";
import { malformed } from "./parsed.js";

export type FormatChoice = FlowLogFormat | "auto";

export interface ParseOptions {
  /** AWS records without a header line (a CloudWatch Logs export): their fields, `--aws-format`. */
  readonly awsFormat?: string;
}

const FORMATS: readonly FormatChoice[] = ["aws", "azure", "gcp", "auto"];

/**
 * The format from the text's start: a JSON array is GCP (`gcloud logging read --format=json`);
 * a JSON object is an Azure blob when `"records"` comes before any Cloud Logging key, else a GCP
 * entry (one per line); any other text is AWS. Undefined when a JSON object shows neither.
 */
export function detectFormat(head: string): FlowLogFormat | undefined {
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (text.startsWith("[")) return "gcp";
  if (!text.startsWith("{")) return "aws";
  const records = text.indexOf('"records"');
  const entry = text.search(/"(jsonPayload|insertId|logName)"/);
  if (records >= 0 && (entry < 0 || records < entry)) return "azure";
  return entry >= 0 ? "gcp" : undefined;
}

function parserFor(format: FlowLogFormat, name: string, stream: Readable, head: string, layout?: AwsLayout) {
  if (format === "aws") return parseAwsText(name, stream, layout);
  if (format === "azure") return parseAzureBlob(name, stream);
  return parseGcpEntries(name, stream, head);
}

async function* only(records: readonly ParsedRecord[]): AsyncGenerator<ParsedRecord> {
  yield* records;
}

/** A log object opened: its records, and how to close it when the reader stops early. */
interface OpenedParser {
  readonly records: AsyncIterator<ParsedRecord>;
  readonly close: () => void;
}

/** The object opened and its format chosen: the parser's records, or the one malformed entry. */
async function openParser(
  object: LogObject,
  format: FormatChoice,
  layout?: AwsLayout,
): Promise<OpenedParser> {
  const { head, stream, close } = await openText(object);
  const chosen = head.trim() === "" ? "empty" : format === "auto" ? detectFormat(head) : format;
  if (chosen === "empty" || chosen === undefined) {
    close();
    const reason = "a JSON object that is neither an Azure flow log blob nor a Cloud Logging entry";
    return {
      records: only(chosen === "empty" ? [] : [malformed({ object: object.name, line: 1 }, reason)]),
      close,
    };
  }
  return { records: parserFor(chosen, object.name, stream, head, layout), close };
}

/**
 * The parser's records, handed on as its iterator gives them: not through a generator of its
 * own, which would cost a second promise per record. A failure to read is named by the object.
 */
function parseOpened(
  object: LogObject,
  format: FormatChoice,
  layout?: AwsLayout,
): AsyncIterable<ParsedRecord> {
  return {
    [Symbol.asyncIterator]: () => {
      let inner: Promise<OpenedParser> | undefined;
      const named = (error: unknown): never => {
        if (error instanceof FlowLogReadError) throw error;
        throw new FlowLogReadError(object.name, "could not be read to its end", { cause: error });
      };
      return {
        next: async () => {
          inner ??= openParser(object, format, layout);
          try {
            return await (await inner).records.next();
          } catch (error) {
            return named(error);
          }
        },
        return: async () => {
          const opened = await inner;
          opened?.close();
          await opened?.records.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Every record of one log object, streamed: memory holds one line (AWS, GCP) or one record (Azure, GCP array). */
export function parseFlowLog(
  object: LogObject,
  format: FormatChoice = "auto",
  options: ParseOptions = {},
): AsyncIterable<ParsedRecord> {
  if (!FORMATS.includes(format)) {
    throw new FlowLogFormatError(
      `unknown flow log format ${JSON.stringify(format)}: aws, azure, gcp or auto`,
    );
  }
  // Checked now, before any object is read: a format that cannot be used is the caller's error.
  const layout = options.awsFormat === undefined ? undefined : callerLayout(options.awsFormat);
  return parseOpened(object, format, layout);
}
