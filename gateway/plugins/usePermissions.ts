/**
 * Before execution, checks every field of the operation against what the caller's roles can ever
 * read or write (lib/policy). An operation that asks for a never-permitted field fails whole with
 * FORBIDDEN naming the fields; conditional fields pass here and are decided per record by the subgraphs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { createHash } from 'node:crypto';
import { GraphQLError, print, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { operationHash } from '../../lib/apiKeys';
import { CustomerGraphError, ForbiddenError } from '../../lib/errors';
import { abilityFor, SUBJECT_FIELDS, type Action, type AppAbility, type SubjectName } from '../../lib/policy';
import type { GatewayContext } from '../context';
import { collectSelectedFields, collectWrittenFields } from '../operationFields';

// Which policy subject a GraphQL type is, and how a field of it is used.
const TYPE_SUBJECTS: Readonly<Record<string, { subject: SubjectName; action: Action }>> = {
  Customer: { subject: 'Customer', action: 'read' },
  ServiceProfile: { subject: 'ServiceProfile', action: 'read' },
  Ticket: { subject: 'Ticket', action: 'read' },
  MarketingProfile: { subject: 'MarketingProfile', action: 'read' },
  Mutation: { subject: 'Mutation', action: 'execute' },
};

// Which subject and action a mutation's `input` writes.
const MUTATION_INPUTS: Readonly<Record<string, { subject: SubjectName; action: Action }>> = {
  createCustomer: { subject: 'Customer', action: 'create' },
  updateCustomer: { subject: 'Customer', action: 'update' },
  updateServiceProfile: { subject: 'ServiceProfile', action: 'update' },
  updateMarketingProfile: { subject: 'MarketingProfile', action: 'update' },
};

const MAX_CACHE = 5000;

/** The permissions plugin; the selection check is cached per (roles, document). */
export function createPermissionsPlugin(): ApolloServerPlugin<GatewayContext> {
  const selectionCache = new Map<string, string[]>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, request, contextValue, operation }) {
          // With a gateway, Apollo leaves operation resolution to it, which reports a miss as a 500.
          if (!operation) {
            throw new GraphQLError(`Unknown operation ${JSON.stringify(request.operationName ?? '')}: name one of the document's operations`, {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
            });
          }
          // A safelisted partner key runs only the operations registered for it.
          const { safelist } = contextValue.caller;
          if (safelist && !safelist.includes(operationHash(request.query ?? print(document)))) {
            throw new CustomerGraphError('This key may only run the operations registered for it (npm run apikey -- safelist)', 'FORBIDDEN', { http: { status: 403 } });
          }
          const ability = abilityFor(contextValue.caller);
          const key = `${[...contextValue.caller.roles].sort().join(',')}|${createHash('sha1').update(request.query ?? print(document)).digest('base64')}`;
          let denied = selectionCache.get(key);
          if (!denied) {
            denied = forbiddenSelections(ability, collectSelectedFields(schema, document));
            if (selectionCache.size >= MAX_CACHE) selectionCache.clear();
            selectionCache.set(key, denied);
          }
          const all = [...new Set([...denied, ...forbiddenInputs(ability, schema, operation, request.variables ?? {})])];
          // A refusal before execution is a client error: 403, not Apollo's default 500 for a hook that throws.
          if (all.length > 0) throw withStatus(new ForbiddenError(all), 403);
        },
      };
    },
  };
}

/** Every field of an operation (selections and mutation inputs) the ability can never read or write. */
export function findForbiddenFields(ability: AppAbility, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  return [...new Set([...forbiddenSelections(ability, collectSelectedFields(schema, document)), ...forbiddenInputs(ability, schema, operation, variables)])];
}

function forbiddenInputs(ability: AppAbility, schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  return collectWrittenFields(schema, operation, variables)
    .filter(({ mutation, field }) => {
      const rule = MUTATION_INPUTS[mutation];
      return rule !== undefined && !ability.can(rule.action, rule.subject, field);
    })
    .map(({ mutation, field }) => `${MUTATION_INPUTS[mutation].subject}.${field}`);
}

function withStatus(error: ForbiddenError, status: number): ForbiddenError {
  Object.assign(error.extensions, { http: { status } });
  return error;
}

function forbiddenSelections(ability: AppAbility, fields: ReadonlyArray<{ type: string; field: string }>): string[] {
  return fields
    .filter(({ type, field }) => {
      const rule = TYPE_SUBJECTS[type];
      if (!rule) return false;
      const known = SUBJECT_FIELDS[rule.subject] as readonly string[];
      // Fields the policy does not list are structure (Customer.service, Customer.marketing): always allowed.
      return known.includes(field) && !ability.can(rule.action, rule.subject, field);
    })
    .map(({ type, field }) => `${type}.${field}`);
}
