/** Names for the API's shapes, all taken from the generated OpenAPI types. */
import type { components, paths } from './api-types';

type Schemas = components['schemas'];

export type Me = Schemas['MeOut'];
export type Role = Me['role'];
export type Order = Schemas['OrderOut'];
export type CustomerRef = Schemas['CustomerRefOut'];
export type CustomerProfile = Schemas['CustomerOut'];
export type CustomerFlag = Schemas['CustomerFlagOut'];
export type OrderLine = Schemas['OrderLineOut'];
export type RefundWindow = Schemas['RefundWindowOut'];
export type SupportCase = Schemas['SupportCaseOut'];
export type CaseCreate = Schemas['CaseCreateIn'];
export type CasePatch = Omit<Schemas['CasePatchIn'], 'note_public'> & { note_public?: boolean };
export type CaseStatus = SupportCase['status'];
export type Category = SupportCase['category'];
export type Priority = SupportCase['priority'];
export type Channel = SupportCase['channel'];
export type Message = Schemas['MessageOut'];
export type Attachment = Schemas['AttachmentOut'];
export type CaseEvent = Schemas['EventOut'];
export type Refund = Schemas['RefundOut'];
export type RefundStatus = Refund['status'];
export type RefundItem = Schemas['RefundItemOut'];
/** A refund request; it may name photos of the damage uploaded to the case. */
export type RefundRequest = Omit<Schemas['RefundRequestIn'], 'attachment_ids' | 'kind'> & {
  kind?: 'units';
  attachment_ids?: string[];
};
/** Staff give an amount not tied to units (a goodwill gesture, shipping only, a price
 * adjustment). */
export type AmountRefund = Omit<Schemas['AmountRefundIn'], 'attachment_ids'> & {
  attachment_ids?: string[];
};
/** The order's one compensation budget: paid, gone back, held by open refunds, remaining. */
export type Compensation = Schemas['CompensationOut'];
export type Quote = Schemas['QuoteOut'];
export type Settlement = Schemas['SettlementIn'];
export type SettlementType = Settlement['type'];
/** One step a person takes on a refund; approving and refunding is one step in the app. */
export type RefundStep =
  // `restock`: the approver's choice; absent, the refund keeps its own (the category's default).
  | { kind: 'approve_and_execute'; restock?: boolean }
  | { kind: 'approve'; restock?: boolean }
  | { kind: 'execute' }
  | { kind: 'reject'; reason: string }
  | { kind: 'cancel' }
  | { kind: 'settle'; settlement: Settlement };
export type Stats = Schemas['StatsOut'];
export type BulkChanges = Schemas['BulkChangesIn'];
export type BulkRow = Schemas['BulkRowOut'];
export type CannedReply = Schemas['CannedReplyOut'];
export type CannedReplyInput = Schemas['CannedReplyIn'];
export type ReasonCode = Schemas['ReasonCodeOut'];
export type ReasonCodeInput = Schemas['ReasonCodeIn'];
export type ReasonCodeChange = Schemas['ReasonCodePatchIn'];
export type ReasonStats = Schemas['ReasonStatsOut'];
/** The refund policy: one version of the rules, with who published it (docs/refund-policy.md).
 * Limits are minor units of the shop's currency. */
export type RefundPolicy = Schemas['RefundPolicyOut'];
/** A draft of the rules, whole, as the dry run and publishing take it. */
export type PolicyRules = Schemas['PolicyRulesIn'];
export type PolicyPublish = Schemas['PolicyPublishIn'];
export type DryRun = Schemas['DryRunOut'];
export type DryRunRow = Schemas['DryRunRowOut'];
export type DryRunOutcome = Schemas['DryRunOutcome'];
export type RefundDecision = Schemas['RefundDecisionOut'];

export type CaseListQuery = NonNullable<
  paths['/api/v1/support-cases']['get']['parameters']['query']
>;
export type RefundListQuery = NonNullable<paths['/api/v1/refunds']['get']['parameters']['query']>;
export type Problem = Schemas['Problem'];
export type FieldProblem = Schemas['FieldError'];
export type StaffMember = Me;
export type User = Schemas['UserOut'];
export type UserCreate = Schemas['UserCreateIn'];
export const ROLES = [
  'customer',
  'agent',
  'supervisor',
  'admin',
] as const satisfies readonly Role[];

export interface PageOf<T> {
  items: T[];
  next_cursor: string | null;
}

export const STAFF_ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];
export const isStaff = (role: Role | undefined): boolean => !!role && STAFF_ROLES.includes(role);

// Enumerations as lists for selects. `satisfies` ties each list to the generated union, so a
// value the API drops fails the type check.
export const CASE_STATUSES = [
  'open',
  'in_progress',
  'waiting_on_customer',
  'resolved',
  'closed',
] as const satisfies readonly CaseStatus[];
export const CATEGORIES = [
  'damaged_item',
  'wrong_item',
  'missing_item',
  'not_delivered',
  'return_refund',
  'billing',
  'other',
] as const satisfies readonly Category[];
export const PRIORITIES = [
  'low',
  'normal',
  'high',
  'urgent',
] as const satisfies readonly Priority[];
export const CHANNELS = ['phone', 'email', 'chat', 'web'] as const satisfies readonly Channel[];
export const REFUND_STATUSES = [
  'requested',
  'approved',
  'processing',
  'refunded',
  'failed',
  'rejected',
  'cancelled',
  'settled',
] as const satisfies readonly RefundStatus[];
export const SETTLEMENT_TYPES = [
  'store_credit',
  'voucher',
  'bank_transfer',
  'replacement',
  'other',
] as const satisfies readonly SettlementType[];

export type WebhookEndpoint = Schemas['WebhookEndpointOut'];
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecretOut'];
export type WebhookEndpointCreate = Schemas['WebhookEndpointIn'];
export type WebhookEndpointPatch = Schemas['WebhookEndpointPatchIn'];
export type WebhookDelivery = Schemas['WebhookDeliveryOut'];
export type WebhookDeliveryState = WebhookDelivery['state'];
export type WebhookEventType = Schemas['WebhookEventType'];
/** The event types an endpoint may subscribe to, in the groups the form shows them in. */
export const WEBHOOK_EVENT_GROUPS = [
  {
    name: 'Cases',
    types: ['support_case.created', 'support_case.updated', 'support_case.closed'],
  },
  { name: 'Messages', types: ['message.created'] },
  {
    name: 'Refunds',
    types: [
      'refund.requested',
      'refund.approved',
      'refund.rejected',
      'refund.cancelled',
      'refund.processing',
      'refund.refunded',
      'refund.failed',
      'refund.settled',
    ],
  },
] as const satisfies readonly { name: string; types: readonly WebhookEventType[] }[];
