import type { Refund, Role } from '@/services/types';

export type RefundActionName = 'approve' | 'reject' | 'cancel' | 'execute' | 'settle';

const STAFF_ACTIONS: RefundActionName[] = ['approve', 'execute', 'reject', 'settle'];
const OWNER_ACTIONS: RefundActionName[] = ['cancel'];

/** The actions this role could ever take on a refund, in the order they are offered. */
export function actionsFor(staff: boolean): RefundActionName[] {
  return staff ? STAFF_ACTIONS : OWNER_ACTIONS;
}

export function allowed(refund: Refund, action: RefundActionName): boolean {
  // Approving sends money through the gateway, which only the open window permits.
  if (action === 'approve' && !refund.refund_window.open) return false;
  return refund.allowed_actions.includes(action);
}

/** Why an action is not offered now, in the words a support agent would use. */
export function whyNot(refund: Refund, action: RefundActionName, role: Role): string {
  const s = refund.status;
  switch (action) {
    case 'approve':
      if (s !== 'requested')
        return `Only a requested refund can be approved; this one is ${s.replace(/_/g, ' ')}.`;
      if (!refund.refund_window.open)
        return 'The order is outside the refund window, so it cannot be paid back through the gateway. Reject it or record a settlement.';
      if (role === 'agent')
        return 'The amount is above the approval limit: a supervisor must approve it.';
      return 'Approving is not possible right now.';
    case 'execute':
      if (s === 'requested') return 'It must be approved before the money is sent.';
      if (s === 'processing') return 'The payment provider is still working on it.';
      return `Nothing to send: the refund is ${s.replace(/_/g, ' ')}.`;
    case 'reject':
      return `Only a requested refund can be rejected; this one is ${s.replace(/_/g, ' ')}.`;
    case 'settle':
      return s === 'requested' || s === 'failed'
        ? 'A settlement is not possible right now.'
        : `A settlement is only for requested or failed refunds; this one is ${s.replace(/_/g, ' ')}.`;
    case 'cancel':
      return `Only a refund still waiting for a decision can be cancelled; this one is ${s.replace(/_/g, ' ')}.`;
  }
}
