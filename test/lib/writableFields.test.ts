import { writableFields } from '../../lib/policy';
import type { Role } from '../../lib/caller';

const caller = (role: Role) => ({ sub: `${role}-1`, tenant: 'acme', roles: [role] });

test('each role is offered exactly the fields its update mutations may set', () => {
  expect(writableFields(caller('partner'))).toEqual([]);
  expect(writableFields(caller('sales'))).toEqual(['Customer.name', 'Customer.company', 'Customer.email', 'Customer.phone', 'Customer.stage', 'Customer.dealValue']);
  expect(writableFields(caller('service'))).toEqual(['ServiceProfile.tier', 'ServiceProfile.satisfaction', 'ServiceProfile.lastContactAt', 'ServiceProfile.tickets', 'ServiceProfile.openTickets']);
  expect(writableFields(caller('marketing')).every((field) => field.startsWith('MarketingProfile.'))).toBe(true);
  expect(writableFields(caller('manager'))).not.toContain('Customer.idNumber');
  expect(writableFields(caller('admin'))).toContain('Customer.idNumber');
});
