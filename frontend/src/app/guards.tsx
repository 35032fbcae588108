import { Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '@/hooks/useSession';
import { isStaff } from '@/services/types';
import { NotFoundPage } from '@/pages/NotFoundPage';

/** Signed-in pages only; anyone else goes to /login and comes back here afterwards. */
export function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (session.status === 'starting') {
    return (
      <Center h="100vh">
        <Loader aria-label="Signing you in" />
      </Center>
    );
  }
  if (session.status === 'signed_out') {
    const next = `${location.pathname}${location.search}`;
    const params = new URLSearchParams();
    if (next !== '/' && !session.left) params.set('next', next);
    if (session.expired) params.set('expired', '1');
    const qs = params.toString();
    return <Navigate to={`/login${qs ? `?${qs}` : ''}`} replace />;
  }
  return <Outlet />;
}

/** Pages for support staff; a customer sees "not found", as the API would answer. */
export function RequireStaff() {
  const { session } = useSession();
  return isStaff(session.user?.role) ? <Outlet /> : <NotFoundPage />;
}

export function RequireAdmin() {
  const { session } = useSession();
  return session.user?.role === 'admin' ? <Outlet /> : <NotFoundPage />;
}
