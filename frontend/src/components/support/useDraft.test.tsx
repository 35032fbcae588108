import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { draftKey } from '@/services/drafts';
import { useDraft } from './useDraft';

describe('useDraft', () => {
  afterEach(() => localStorage.clear());

  it('keeps the text per user and case, reads it back after a reload, and forgets it once sent', () => {
    const key = draftKey('usr_bob', 'case_1');
    const first = renderHook(() => useDraft(key));
    expect(first.result.current.initial).toBeNull();
    act(() =>
      first.result.current.keep({ body: 'Hello Alice', internal: false, setStatus: 'resolved' }),
    );
    first.unmount();

    // A reload, or a sign-in in between: the box draws again and finds it.
    const again = renderHook(() => useDraft(key));
    expect(again.result.current.initial).toEqual({
      body: 'Hello Alice',
      internal: false,
      setStatus: 'resolved',
    });
    // Another person on the same browser, or another case, finds nothing.
    expect(
      renderHook(() => useDraft(draftKey('usr_sam', 'case_1'))).result.current.initial,
    ).toBeNull();
    expect(
      renderHook(() => useDraft(draftKey('usr_bob', 'case_2'))).result.current.initial,
    ).toBeNull();

    act(() => again.result.current.clear());
    expect(localStorage.getItem(key)).toBeNull();
  });

  it('keeps nothing for blank text, nor without a key', () => {
    const key = draftKey('usr_bob', 'case_1');
    const { result } = renderHook(() => useDraft(key));
    act(() => result.current.keep({ body: '   ', internal: false }));
    expect(localStorage.getItem(key)).toBeNull();
    const keyless = renderHook(() => useDraft(undefined));
    act(() => keyless.result.current.keep({ body: 'text', internal: false }));
    expect(localStorage.length).toBe(0);
  });

  it('starts empty from a damaged entry', () => {
    const key = draftKey('usr_bob', 'case_1');
    localStorage.setItem(key, '{not json');
    expect(renderHook(() => useDraft(key)).result.current.initial).toBeNull();
  });
});
