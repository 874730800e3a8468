/** GET /api/nodes/:id/facts: the facts of the node's latest scan, for the inventory. */
export interface NodeFactsView {
  scanId: string
  finishedAt: string
  facts: Record<string, unknown>
  factErrors: Record<string, string>
}
