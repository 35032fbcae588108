/**
 * Filters that live in the URL's search params, so a filtered list can be shared, reloaded
 * and walked back with the browser's back button. Defaults saved per user in localStorage.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router';

export interface FilterSpec<K extends string> {
  /** Where saved defaults are kept, e.g. "cases". */
  scope: string;
  multi: readonly K[];
  single: readonly K[];
}

export type FilterValues<K extends string> = Partial<Record<K, string | string[]>>;

const storageKey = (userId: string, scope: string) => `supportdesk.filters.${userId}.${scope}`;

export function readSavedFilters(userId: string, scope: string): string | null {
  try {
    return localStorage.getItem(storageKey(userId, scope));
  } catch {
    return null;
  }
}

export function useUrlFilters<K extends string>(spec: FilterSpec<K>, userId: string) {
  const [params, setParams] = useSearchParams();

  const values = useMemo(() => {
    const out: FilterValues<K> = {};
    for (const k of spec.multi) {
      const all = params.getAll(k).filter(Boolean);
      if (all.length) out[k] = all;
    }
    for (const k of spec.single) {
      const v = params.get(k);
      if (v) out[k] = v;
    }
    return out;
  }, [params, spec]);

  // A change applies to the URL as it is when the change lands, not as it was when the
  // change began: a search settling 400 ms after typing must not undo the status chip
  // clicked in between (its closure saw the URL from before the click).
  const latest = useRef({ params, setParams });
  useLayoutEffect(() => {
    latest.current = { params, setParams };
  });

  const set = useCallback((patch: FilterValues<K>, options?: { replace?: boolean }) => {
    const { params: now, setParams: write } = latest.current;
    const next = new URLSearchParams(now);
    for (const [k, v] of Object.entries(patch) as [K, string | string[] | undefined][]) {
      next.delete(k);
      if (Array.isArray(v)) v.filter(Boolean).forEach((x) => next.append(k, x));
      else if (v) next.set(k, v);
    }
    // No history entry for a change that changes nothing.
    if (next.toString() === now.toString()) return;
    write(next, { replace: options?.replace });
  }, []);

  const clear = useCallback(() => setParams(new URLSearchParams()), [setParams]);

  const saveAsDefault = useCallback(() => {
    try {
      localStorage.setItem(storageKey(userId, spec.scope), params.toString());
    } catch {
      /* storage unavailable: nothing saved */
    }
  }, [params, spec.scope, userId]);

  const hasSaved = readSavedFilters(userId, spec.scope) !== null;

  // A bare URL opens with the user's saved defaults; an explicit URL always wins.
  useEffect(() => {
    if (params.toString()) return;
    const saved = readSavedFilters(userId, spec.scope);
    if (saved) setParams(new URLSearchParams(saved), { replace: true });
    // Only on arrival: clearing the filters later must not bring the defaults back.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return { values, set, clear, saveAsDefault, hasSaved };
}
