/** The sales subgraph: owns the core of `Customer`. Run directly to serve on SALES_PORT (4001). */
import { projectPath } from '../../lib/projectPath';
import { runSubgraphMain } from '../../lib/runSubgraphMain';
import type { SubgraphDefinition } from '../../lib/startSubgraph';
import { createFollowers } from './followers';
import { createLoaders, type SalesLoaders } from './loaders';
import { createSalesModels, type SalesModels } from './models';
import { resolvers } from './resolvers';

export const salesSubgraph: SubgraphDefinition<SalesModels, SalesLoaders> = {
  name: 'sales',
  schemaPath: projectPath('schema/sales.graphql'),
  resolvers: resolvers as SubgraphDefinition<SalesModels, SalesLoaders>['resolvers'],
  createModels: createSalesModels,
  createLoaders,
  createFollowers,
};

if (require.main === module) runSubgraphMain(salesSubgraph);
