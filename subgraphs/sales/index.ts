/** The sales subgraph: owns the core of `Customer`. Run directly to serve on SALES_PORT (4001). */
import { join } from 'node:path';
import { runSubgraphMain } from '../../lib/runSubgraphMain';
import type { SubgraphDefinition } from '../../lib/startSubgraph';
import { createFollowers } from './followers';
import { createLoaders, type SalesLoaders } from './loaders';
import { createSalesModels, type SalesModels } from './models';
import { resolvers } from './resolvers';

export const salesSubgraph: SubgraphDefinition<SalesModels, SalesLoaders> = {
  name: 'sales',
  schemaPath: join(__dirname, '../../schema/sales.graphql'),
  resolvers: resolvers as SubgraphDefinition<SalesModels, SalesLoaders>['resolvers'],
  createModels: createSalesModels,
  createLoaders,
  createFollowers,
};

if (require.main === module) runSubgraphMain(salesSubgraph);
