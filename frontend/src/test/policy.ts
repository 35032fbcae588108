import type { RefundPolicy } from '@/services/types';

/** Version 1 of the refund policy as the API answers it: the service's default settings. */
export const POLICY_V1: RefundPolicy = {
  version: 1,
  note: "the service's settings",
  created_at: null,
  created_by: null,
  window_days: 14,
  lost_parcel_after_days: 10,
  approval_threshold: 50000,
  amount_refund_threshold: 50000,
  settlement_threshold: 50000,
  final_sale_skus: [],
  final_sale_categories: [],
  category_windows: [],
};
