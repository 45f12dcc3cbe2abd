// The seven selection criteria of host organisations, in the brochure's order.
import type { HostOrgCriteria } from '../../../lib/bindings/HostOrgCriteria';

export const CRITERIA: (keyof HostOrgCriteria)[] = [
  'registered_in_region',
  'charter_matches',
  'youth_experience',
  'head_and_accountant',
  'no_debts',
  'not_unscrupulous',
  'documents_complete',
];
