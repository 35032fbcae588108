import type { SupportCase } from '@/services/types';

export type SlaStatus = NonNullable<SupportCase['sla_status']>;
type Sla = NonNullable<SupportCase['sla']>;
type SlaClock = Sla['first_response'];

export const SLA_STATUSES: readonly SlaStatus[] = ['ok', 'at_risk', 'breached', 'paused'];

export const SLA_STATUS_LABELS: Record<SlaStatus, string> = {
  ok: 'On time',
  at_risk: 'At risk',
  breached: 'Breached',
  paused: 'Paused',
};

/** "2 h 10 min", "45 min", "3 d 4 h" — an amount of time, to the minute. */
export function duration(seconds: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(seconds) / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `${days} d ${restHours} h` : `${days} d`;
}

/** One clock in words, as the server worked it out: business time left, or how long
 * ago the target passed (in plain time since the due moment). */
export function clockWords(name: 'first reply' | 'resolution', clock: SlaClock, now: Date): string {
  const title = name === 'first reply' ? 'First reply' : 'Resolution';
  if (clock.state === 'met') {
    return clock.breached ? `${title} given after its target` : `${title} given on time`;
  }
  if (clock.state === 'stopped') return `${title}: no longer pending`;
  const dueAt = clock.due_at ? new Date(clock.due_at) : null;
  if (clock.breached && dueAt) {
    const ago = (now.getTime() - dueAt.getTime()) / 1000;
    const target = name === 'first reply' ? 'First reply' : 'Resolution';
    return `${target} target breached ${duration(ago)} ago`;
  }
  if (clock.state === 'paused') {
    return `${title} paused: waiting on the customer (${duration(clock.business_seconds_left)} of business time left)`;
  }
  return `${title} due in ${duration(clock.business_seconds_left)} of business time`;
}
