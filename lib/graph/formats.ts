/** The formats `segsync graph` writes (docs/graph.md). */
export const GRAPH_FORMATS = ["mermaid", "dot", "html"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];
