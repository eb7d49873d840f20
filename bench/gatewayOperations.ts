/** The three operations of the gateway benchmark, the same text for every gateway. */

export type OperationName = 'small' | 'heavy' | 'mutation';
export const OPERATION_NAMES: readonly OperationName[] = ['small', 'heavy', 'mutation'];

/** One customer with fields from all three subgraphs. */
export const SMALL_QUERY = `query Small($id: ID!) {
  customer(id: $id) {
    id name company email phone stage version
    service { tier openTickets satisfaction }
    marketing { tags segments leadScore }
  }
}`;

/** A page of 50 customers with their tickets and marketing profile: three subgraph fetches, 50 entities each. */
export const HEAVY_QUERY = `query Heavy {
  customers(first: 50) {
    totalCount
    edges {
      cursor
      node {
        id name company email phone stage ownerId dealValue version updatedAt
        service { version tier openTickets satisfaction tickets { id subject status priority createdAt } }
        marketing { version tags segments leadScore consent { email sms } }
      }
    }
  }
}`;

/** An optimistic-lock write of one sales-owned field. */
export const UPDATE_MUTATION = `mutation Update($id: ID!, $v: Int!, $company: String) {
  updateCustomer(id: $id, expectedVersion: $v, input: { company: $company }) { id company version updatedAt }
}`;

/** What a clean response of each operation contains (besides having no `errors`). */
export const EXPECTED_FIELD: Readonly<Record<OperationName, string>> = {
  small: '"customer":{',
  heavy: '"customers":{',
  mutation: '"updateCustomer":{',
};

/** The request body of a read, or of a write whose variables never change (stub subgraphs). */
export function requestBody(operation: OperationName, customerId: string): string {
  switch (operation) {
    case 'small':
      return JSON.stringify({ query: SMALL_QUERY, variables: { id: customerId } });
    case 'heavy':
      return JSON.stringify({ query: HEAVY_QUERY });
    case 'mutation':
      return JSON.stringify({ query: UPDATE_MUTATION, variables: { id: customerId, v: 1, company: 'Bench' } });
  }
}
