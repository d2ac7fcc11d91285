/** A policy's issues are the generic document issues of lib/util/source-issues.ts. */
export {
  type DraftIssue,
  formatIssue,
  formatPath,
  type PathSegment,
  type SourceIssue as PolicyIssue,
} from "../util/source-issues.js";
