/** The marketing subgraph: owns `MarketingProfile`. Run directly to serve on MARKETING_PORT (4003). */
import { projectPath } from '../../lib/projectPath';
import { runSubgraphMain } from '../../lib/runSubgraphMain';
import type { SubgraphDefinition } from '../../lib/startSubgraph';
import { createFollowers } from './followers';
import { createLoaders, type MarketingLoaders } from './loaders';
import { createMarketingModels, type MarketingModels } from './models';
import { resolvers } from './resolvers';

export const marketingSubgraph: SubgraphDefinition<MarketingModels, MarketingLoaders> = {
  name: 'marketing',
  schemaPath: projectPath('schema/marketing.graphql'),
  resolvers: resolvers as SubgraphDefinition<MarketingModels, MarketingLoaders>['resolvers'],
  createModels: createMarketingModels,
  createLoaders,
  createFollowers,
};

if (require.main === module) runSubgraphMain(marketingSubgraph);
