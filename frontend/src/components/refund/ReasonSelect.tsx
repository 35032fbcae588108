import { NativeSelect, type NativeSelectProps } from '@mantine/core';
import type { ReasonCode } from '@/services/types';

interface Props extends Omit<NativeSelectProps, 'data'> {
  /** The reasons offered now, in the list's order (GET /reason-codes). */
  reasons: readonly ReasonCode[];
  /** A first choice that names no reason (the server then takes the default it says). */
  emptyOption?: string;
}

/** A choice among the reasons admins keep. Labels are the list's; the value is the code the
 * server counts by. Works with react-hook-form's `register` like any native select. */
export function ReasonSelect({ reasons, emptyOption, ...props }: Props) {
  const data = reasons.map((r) => ({ value: r.code, label: r.label }));
  return (
    <NativeSelect
      {...props}
      data={emptyOption !== undefined ? [{ value: '', label: emptyOption }, ...data] : data}
    />
  );
}

/** The reason to start a form on: ``wanted`` (the case's, or the refund's) when it is
 * offered; else the list's "other", which is always offered. */
export function startingReason(reasons: readonly ReasonCode[], wanted?: string | null): string {
  if (wanted && reasons.some((r) => r.code === wanted)) return wanted;
  return reasons.some((r) => r.code === 'other') ? 'other' : (reasons[0]?.code ?? '');
}
