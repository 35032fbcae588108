import { useMe } from '@/hooks/useSession';
import { isStaff } from '@/services/types';
import { lazy } from 'react';
import { CustomerHome } from './home/CustomerHome';

// The dashboard brings the charts library; customers never load it.
const AgentHome = lazy(async () => ({ default: (await import('./home/AgentHome')).AgentHome }));

export function HomePage() {
  const me = useMe();
  return isStaff(me.role) ? <AgentHome /> : <CustomerHome />;
}
