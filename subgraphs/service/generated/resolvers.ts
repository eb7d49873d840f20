import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRef, ServiceContext } from '../loaders';
import type { ServiceProfileRecord, TicketRecord } from '../models';
import type { ConflictView } from '../../../lib/conflictView';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
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

/** One conflicting field: the value the writer wanted and the value it collided with, JSON-encoded. */
export type ConflictValue = {
  __typename?: 'ConflictValue';
  field: Scalars['String']['output'];
  mine?: Maybe<Scalars['String']['output']>;
  theirs?: Maybe<Scalars['String']['output']>;
};

export type Customer = {
  __typename?: 'Customer';
  id: Scalars['ID']['output'];
  /** Service data of this customer; an empty profile (version 0) when service has none yet; null with a SUBGRAPH_UNAVAILABLE error at this path while the service subgraph is down. */
  service?: Maybe<ServiceProfile>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Opens a ticket (a new version of the service profile). */
  openTicket: Ticket;
  setTicketStatus: Ticket;
  /** Writes only the fields given, merged or refused with VERSION_CONFLICT like every versioned write. */
  updateServiceProfile: ServiceProfile;
};


export type MutationOpenTicketArgs = {
  clientMutationId?: InputMaybe<Scalars['ID']['input']>;
  customerId: Scalars['ID']['input'];
  input: OpenTicketInput;
};


export type MutationSetTicketStatusArgs = {
  id: Scalars['ID']['input'];
  status: TicketStatus;
};


export type MutationUpdateServiceProfileArgs = {
  clientMutationId?: InputMaybe<Scalars['ID']['input']>;
  customerId: Scalars['ID']['input'];
  expectedVersion: Scalars['Int']['input'];
  input: ServiceProfileInput;
};

export type OpenTicketInput = {
  priority?: InputMaybe<Priority>;
  subject: Scalars['String']['input'];
};

export type Priority =
  | 'HIGH'
  | 'LOW'
  | 'NORMAL'
  | 'URGENT';

export type ServiceProfile = {
  __typename?: 'ServiceProfile';
  /** Writes to this profile refused with VERSION_CONFLICT, newest first (admin and manager only). */
  conflicts?: Maybe<Array<WriteConflict>>;
  lastContactAt?: Maybe<Scalars['DateTime']['output']>;
  openTickets: Scalars['Int']['output'];
  satisfaction?: Maybe<Scalars['Float']['output']>;
  tickets: Array<Ticket>;
  tier?: Maybe<Scalars['String']['output']>;
  version: Scalars['Int']['output'];
};


export type ServiceProfileConflictsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type ServiceProfileTicketsArgs = {
  status?: InputMaybe<TicketStatus>;
};

export type ServiceProfileInput = {
  lastContactAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** From 0 to 5. */
  satisfaction?: InputMaybe<Scalars['Float']['input']>;
  tier?: InputMaybe<Scalars['String']['input']>;
};

export type Ticket = {
  __typename?: 'Ticket';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  priority: Priority;
  status: TicketStatus;
  subject: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type TicketStatus =
  | 'CLOSED'
  | 'OPEN'
  | 'PENDING'
  | 'SOLVED';

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
  ConflictValue: ResolverTypeWrapper<ConflictValue>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Customer: ResolverTypeWrapper<CustomerRef>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  OpenTicketInput: OpenTicketInput;
  Priority: Priority;
  ServiceProfile: ResolverTypeWrapper<ServiceProfileRecord>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ServiceProfileInput: ServiceProfileInput;
  Ticket: ResolverTypeWrapper<TicketRecord>;
  TicketStatus: TicketStatus;
  WriteConflict: ResolverTypeWrapper<ConflictView>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ConflictValue: ConflictValue;
  String: Scalars['String']['output'];
  Customer: CustomerRef;
  ID: Scalars['ID']['output'];
  DateTime: Scalars['DateTime']['output'];
  Mutation: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  OpenTicketInput: OpenTicketInput;
  ServiceProfile: ServiceProfileRecord;
  Float: Scalars['Float']['output'];
  ServiceProfileInput: ServiceProfileInput;
  Ticket: TicketRecord;
  WriteConflict: ConflictView;
  Boolean: Scalars['Boolean']['output'];
}>;

export type ConflictValueResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['ConflictValue'] = ResolversParentTypes['ConflictValue']> = ResolversObject<{
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  mine?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  theirs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  service?: Resolver<Maybe<ResolversTypes['ServiceProfile']>, ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  openTicket?: Resolver<ResolversTypes['Ticket'], ParentType, ContextType, RequireFields<MutationOpenTicketArgs, 'customerId' | 'input'>>;
  setTicketStatus?: Resolver<ResolversTypes['Ticket'], ParentType, ContextType, RequireFields<MutationSetTicketStatusArgs, 'id' | 'status'>>;
  updateServiceProfile?: Resolver<ResolversTypes['ServiceProfile'], ParentType, ContextType, RequireFields<MutationUpdateServiceProfileArgs, 'customerId' | 'expectedVersion' | 'input'>>;
}>;

export type ServiceProfileResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['ServiceProfile'] = ResolversParentTypes['ServiceProfile']> = ResolversObject<{
  conflicts?: Resolver<Maybe<Array<ResolversTypes['WriteConflict']>>, ParentType, ContextType, RequireFields<ServiceProfileConflictsArgs, 'first'>>;
  lastContactAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  openTickets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  satisfaction?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  tickets?: Resolver<Array<ResolversTypes['Ticket']>, ParentType, ContextType, Partial<ServiceProfileTicketsArgs>>;
  tier?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type TicketResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['Ticket'] = ResolversParentTypes['Ticket']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  priority?: Resolver<ResolversTypes['Priority'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['TicketStatus'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type WriteConflictResolvers<ContextType = ServiceContext, ParentType extends ResolversParentTypes['WriteConflict'] = ResolversParentTypes['WriteConflict']> = ResolversObject<{
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conflictingFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  currentVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expectedVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['ConflictValue']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = ServiceContext> = ResolversObject<{
  ConflictValue?: ConflictValueResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  ServiceProfile?: ServiceProfileResolvers<ContextType>;
  Ticket?: TicketResolvers<ContextType>;
  WriteConflict?: WriteConflictResolvers<ContextType>;
}>;

