import { randomBytes } from 'node:crypto';

/**
 * A fresh secret for the nats-server a stack starts for itself: authorization is always on, so another
 * user of the machine who finds the loopback port cannot read or publish run events. The stack's own
 * processes get it as NATS_TOKEN; later CLI commands read it from the stack file (mode 0600).
 */
export const newNatsToken = (): string => randomBytes(24).toString('base64url');

/** The environment of a child that talks to the stack's own NATS: this token and no other credentials. */
export const natsTokenEnv = (token: string): Record<string, string> => ({ NATS_TOKEN: token, NATS_USER: '', NATS_PASSWORD: '', NATS_CREDS_FILE: '' });
