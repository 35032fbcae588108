import { lazy } from 'react';

// The dashboard brings the charts library: loaded only when it is opened.
const AgentHome = lazy(async () => ({ default: (await import('./home/AgentHome')).AgentHome }));

/** Where support stands, in figures and charts (staff). */
export function DashboardPage() {
  return <AgentHome />;
}
