/** The check is shared by every document users write: see lib/util/forbidden-keys.ts. */
export { forbiddenKeyIssues } from "../util/forbidden-keys.js";
