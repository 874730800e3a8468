/**
 * The collector's agent endpoints. Their own (zod-free) file so that the long-lived agent
 * process can open its stream without loading the enrollment schemas.
 */
export const enrollPath = '/api/agents/enroll'
/** The WebSocket endpoint agents connect to, with `Authorization: Bearer <credential>`. */
export const agentStreamPath = '/api/agents/stream'
