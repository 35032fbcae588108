import type { ReactNode } from 'react';
import { ApiError } from '@/services/http';
import { PageSkeleton } from './PageSkeleton';
import { ProblemAlert } from './ProblemAlert';

/** What a query (single or paged) tells about itself; TanStack Query's results fit it. */
export interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

interface Props<T> {
  query: QueryLike<T>;
  /** Rows of the loading skeleton. */
  rows?: number;
  /** Shown instead of the problem when the answer is 404 (it is not there, or not yours). */
  notFound?: ReactNode;
  /** With `empty`: whether the loaded data has nothing to show. */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  /** The reader's words for "a system behind the server did not answer" (see ProblemAlert). */
  unavailable?: string;
  children: (data: T) => ReactNode;
}

/** A query's loading, failure (with "Try again") and emptiness, so that a page writes only
 * what it shows once the data is there. */
export function QueryState<T>({
  query,
  rows = 4,
  notFound,
  isEmpty,
  empty,
  unavailable,
  children,
}: Props<T>) {
  if (query.isPending) return <PageSkeleton rows={rows} />;
  if (query.isError) {
    if (notFound !== undefined && query.error instanceof ApiError && query.error.status === 404)
      return <>{notFound}</>;
    return (
      <ProblemAlert
        error={query.error}
        onRetry={() => void query.refetch()}
        unavailable={unavailable}
      />
    );
  }
  // Neither pending nor failed: TanStack Query guarantees the data is there.
  const data = query.data as T;
  if (empty !== undefined && isEmpty?.(data)) return <>{empty}</>;
  return <>{children(data)}</>;
}
