import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRecord } from '../models';
import type { CustomerPage, SalesContext } from '../loaders';
import type { FeedChange } from '../../../lib/changeFeed';
import type { Revision } from '../../../lib/versionedRecord';
import type { ConflictView } from '../../../lib/conflictView';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 instant in UTC */
  DateTime: { input: Date; output: Date; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type ChangeBatch = {
  __typename?: 'ChangeBatch';
  changes: Array<CustomerChange>;
  /** The cursor to pass as `after` next time (the given one when nothing is new). */
  cursor?: Maybe<Scalars['String']['output']>;
  hasMore: Scalars['Boolean']['output'];
};

/** One conflicting field: the value the writer wanted and the value it collided with, JSON-encoded. */
export type ConflictValue = {
  __typename?: 'ConflictValue';
  field: Scalars['String']['output'];
  mine?: Maybe<Scalars['String']['output']>;
  theirs?: Maybe<Scalars['String']['output']>;
};

export type CreateCustomerInput = {
  company?: InputMaybe<Scalars['String']['input']>;
  dealValue?: InputMaybe<Scalars['Float']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  idNumber?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  stage?: InputMaybe<Stage>;
};

export type Customer = {
  __typename?: 'Customer';
  company?: Maybe<Scalars['String']['output']>;
  /** Writes to this customer refused with VERSION_CONFLICT, newest first (admin and manager only). */
  conflicts?: Maybe<Array<WriteConflict>>;
  dealValue?: Maybe<Scalars['Float']['output']>;
  /** Likely duplicates in the same tenant: same phone, same email, or same name and company. */
  duplicates: Array<Customer>;
  /** Lower-cased, validated. */
  email?: Maybe<Scalars['String']['output']>;
  /** Accepted writes of the sales-owned fields, newest first (the last 100 are kept); null with FORBIDDEN where the caller may not see them. */
  history?: Maybe<Array<CustomerRevision>>;
  id: Scalars['ID']['output'];
  /** National ID: highly sensitive. */
  idNumber?: Maybe<Scalars['String']['output']>;
  /** Set when this customer was merged into another one. */
  mergedInto?: Maybe<Scalars['ID']['output']>;
  name: Scalars['String']['output'];
  /** The salesperson who owns the account. */
  ownerId?: Maybe<Scalars['ID']['output']>;
  /** E.164, e.g. +8613800138000. */
  phone?: Maybe<Scalars['String']['output']>;
  stage: Stage;
  updatedAt: Scalars['DateTime']['output'];
  /** Version of the sales-owned fields. */
  version: Scalars['Int']['output'];
};


export type CustomerConflictsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type CustomerHistoryArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CustomerChange = {
  __typename?: 'CustomerChange';
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  changedFields: Array<Scalars['String']['output']>;
  /** Opaque, strictly increasing per tenant; feed it back as `after`. */
  cursor: Scalars['String']['output'];
  customer?: Maybe<Customer>;
  customerId: Scalars['ID']['output'];
  deviceId?: Maybe<Scalars['String']['output']>;
  /** sales | service | marketing */
  source: Scalars['String']['output'];
  /** The source's version after the change. */
  version: Scalars['Int']['output'];
};

export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  edges: Array<CustomerEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  cursor: Scalars['String']['output'];
  node: Customer;
};

export type CustomerFilter = {
  /** Compared after trimming and lower-casing. */
  email?: InputMaybe<Scalars['String']['input']>;
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** Any common format; compared after normalising to E.164. */
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Case-insensitive substring of the name or company. */
  search?: InputMaybe<Scalars['String']['input']>;
  segment?: InputMaybe<Scalars['String']['input']>;
  stage?: InputMaybe<Stage>;
  tag?: InputMaybe<Scalars['String']['input']>;
};

export type CustomerRevision = {
  __typename?: 'CustomerRevision';
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  changedFields: Array<Scalars['String']['output']>;
  deviceId?: Maybe<Scalars['String']['output']>;
  version: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Creates a customer at version 1. Phones are stored as E.164, emails lower-cased. */
  createCustomer: Customer;
  /** Folds the duplicate into the survivor (empty survivor fields take the duplicate's values); the duplicate is marked merged. */
  mergeCustomers: Customer;
  /** Writes a new version restoring the values the customer had at toVersion. */
  revertCustomer: Customer;
  /** Writes only the fields given. Merged on top when no revision after expectedVersion touched them; VERSION_CONFLICT otherwise. */
  updateCustomer: Customer;
};


export type MutationCreateCustomerArgs = {
  clientMutationId?: InputMaybe<Scalars['ID']['input']>;
  input: CreateCustomerInput;
};


export type MutationMergeCustomersArgs = {
  duplicateId: Scalars['ID']['input'];
  survivorId: Scalars['ID']['input'];
};


export type MutationRevertCustomerArgs = {
  expectedVersion: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  toVersion: Scalars['Int']['input'];
};


export type MutationUpdateCustomerArgs = {
  clientMutationId?: InputMaybe<Scalars['ID']['input']>;
  expectedVersion: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  input: UpdateCustomerInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** The tenant's change feed after a cursor (from the start without one), oldest first: for devices that sync by polling or catch up after being offline. */
  changes: ChangeBatch;
  /** The customer with this id; null when it does not exist or belongs to another tenant. */
  customer?: Maybe<Customer>;
  /** Customers of the caller's tenant, oldest first, in pages of at most 100. */
  customers: CustomerConnection;
  /** The newest cursor of the tenant's feed (a start position when it is empty): subscribe or pull after it to get only what comes next. */
  latestChangeCursor?: Maybe<Scalars['String']['output']>;
  /** Who the gateway says is calling. */
  me: Viewer;
};


export type QueryChangesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
};


export type QueryCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CustomerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type Stage =
  | 'LEAD'
  | 'LOST'
  | 'PROPOSAL'
  | 'QUALIFIED'
  | 'WON';

/** Only the fields present are written; null clears a field (name and stage cannot be cleared). */
export type UpdateCustomerInput = {
  company?: InputMaybe<Scalars['String']['input']>;
  dealValue?: InputMaybe<Scalars['Float']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  idNumber?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  stage?: InputMaybe<Stage>;
};

export type Viewer = {
  __typename?: 'Viewer';
  deviceId?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  roles: Array<Scalars['String']['output']>;
  tenant: Scalars['String']['output'];
  /** Fields (Type.field) the caller may update on at least some records: what a client offers to edit. Each write is still checked against its record. */
  writableFields: Array<Scalars['String']['output']>;
};

/** A write refused with VERSION_CONFLICT, as kept for admins and managers. */
export type WriteConflict = {
  __typename?: 'WriteConflict';
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  conflictingFields: Array<Scalars['String']['output']>;
  currentVersion: Scalars['Int']['output'];
  deviceId?: Maybe<Scalars['String']['output']>;
  expectedVersion: Scalars['Int']['output'];
  values: Array<ConflictValue>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Customer: Customer;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ChangeBatch: ResolverTypeWrapper<Omit<ChangeBatch, 'changes'> & { changes: Array<ResolversTypes['CustomerChange']> }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ConflictValue: ResolverTypeWrapper<ConflictValue>;
  CreateCustomerInput: CreateCustomerInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Customer: ResolverTypeWrapper<CustomerRecord>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  CustomerChange: ResolverTypeWrapper<FeedChange>;
  CustomerConnection: ResolverTypeWrapper<CustomerPage>;
  CustomerEdge: ResolverTypeWrapper<Omit<CustomerEdge, 'node'> & { node: ResolversTypes['Customer'] }>;
  CustomerFilter: CustomerFilter;
  CustomerRevision: ResolverTypeWrapper<Revision>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Stage: Stage;
  UpdateCustomerInput: UpdateCustomerInput;
  Viewer: ResolverTypeWrapper<Viewer>;
  WriteConflict: ResolverTypeWrapper<ConflictView>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ChangeBatch: Omit<ChangeBatch, 'changes'> & { changes: Array<ResolversParentTypes['CustomerChange']> };
  String: Scalars['String']['output'];
  Boolean: Scalars['Boolean']['output'];
  ConflictValue: ConflictValue;
  CreateCustomerInput: CreateCustomerInput;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Customer: CustomerRecord;
  Int: Scalars['Int']['output'];
  CustomerChange: FeedChange;
  CustomerConnection: CustomerPage;
  CustomerEdge: Omit<CustomerEdge, 'node'> & { node: ResolversParentTypes['Customer'] };
  CustomerFilter: CustomerFilter;
  CustomerRevision: Revision;
  DateTime: Scalars['DateTime']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  UpdateCustomerInput: UpdateCustomerInput;
  Viewer: Viewer;
  WriteConflict: ConflictView;
}>;

export type ChangeBatchResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['ChangeBatch'] = ResolversParentTypes['ChangeBatch']> = ResolversObject<{
  changes?: Resolver<Array<ResolversTypes['CustomerChange']>, ParentType, ContextType>;
  cursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasMore?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ConflictValueResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['ConflictValue'] = ResolversParentTypes['ConflictValue']> = ResolversObject<{
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  mine?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  theirs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  company?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  conflicts?: Resolver<Maybe<Array<ResolversTypes['WriteConflict']>>, ParentType, ContextType, RequireFields<CustomerConflictsArgs, 'first'>>;
  dealValue?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  duplicates?: Resolver<Array<ResolversTypes['Customer']>, ParentType, ContextType>;
  email?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  history?: Resolver<Maybe<Array<ResolversTypes['CustomerRevision']>>, ParentType, ContextType, RequireFields<CustomerHistoryArgs, 'first'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  idNumber?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  mergedInto?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  ownerId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  stage?: Resolver<ResolversTypes['Stage'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CustomerChangeResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['CustomerChange'] = ResolversParentTypes['CustomerChange']> = ResolversObject<{
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  changedFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType>;
  customerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CustomerConnectionResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['CustomerConnection'] = ResolversParentTypes['CustomerConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['CustomerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CustomerEdgeResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['CustomerEdge'] = ResolversParentTypes['CustomerEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
}>;

export type CustomerRevisionResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['CustomerRevision'] = ResolversParentTypes['CustomerRevision']> = ResolversObject<{
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  changedFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  createCustomer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationCreateCustomerArgs, 'input'>>;
  mergeCustomers?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationMergeCustomersArgs, 'duplicateId' | 'survivorId'>>;
  revertCustomer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationRevertCustomerArgs, 'expectedVersion' | 'id' | 'toVersion'>>;
  updateCustomer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationUpdateCustomerArgs, 'expectedVersion' | 'id' | 'input'>>;
}>;

export type PageInfoResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  changes?: Resolver<ResolversTypes['ChangeBatch'], ParentType, ContextType, RequireFields<QueryChangesArgs, 'first'>>;
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType, RequireFields<QueryCustomerArgs, 'id'>>;
  customers?: Resolver<ResolversTypes['CustomerConnection'], ParentType, ContextType, RequireFields<QueryCustomersArgs, 'first'>>;
  latestChangeCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  me?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
}>;

export type ViewerResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = ResolversObject<{
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  roles?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  tenant?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  writableFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type WriteConflictResolvers<ContextType = SalesContext, ParentType extends ResolversParentTypes['WriteConflict'] = ResolversParentTypes['WriteConflict']> = ResolversObject<{
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conflictingFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  currentVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expectedVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['ConflictValue']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SalesContext> = ResolversObject<{
  ChangeBatch?: ChangeBatchResolvers<ContextType>;
  ConflictValue?: ConflictValueResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  CustomerChange?: CustomerChangeResolvers<ContextType>;
  CustomerConnection?: CustomerConnectionResolvers<ContextType>;
  CustomerEdge?: CustomerEdgeResolvers<ContextType>;
  CustomerRevision?: CustomerRevisionResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
  WriteConflict?: WriteConflictResolvers<ContextType>;
}>;

