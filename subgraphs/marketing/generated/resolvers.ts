import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRef, MarketingContext } from '../loaders';
import type { MarketingProfileRecord } from '../models';
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

export type Consent = {
  __typename?: 'Consent';
  email: Scalars['Boolean']['output'];
  sms: Scalars['Boolean']['output'];
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type ConsentInput = {
  email?: InputMaybe<Scalars['Boolean']['input']>;
  sms?: InputMaybe<Scalars['Boolean']['input']>;
};

export type Customer = {
  __typename?: 'Customer';
  id: Scalars['ID']['output'];
  /** Marketing data of this customer; an empty profile (version 0) when marketing has none yet; null with a SUBGRAPH_UNAVAILABLE error at this path while the marketing subgraph is down. */
  marketing?: Maybe<MarketingProfile>;
};

export type MarketingProfile = {
  __typename?: 'MarketingProfile';
  /** Writes to this profile refused with VERSION_CONFLICT, newest first (admin and manager only). */
  conflicts?: Maybe<Array<WriteConflict>>;
  consent: Consent;
  leadScore: Scalars['Int']['output'];
  segments: Array<Scalars['String']['output']>;
  tags: Array<Scalars['String']['output']>;
  version: Scalars['Int']['output'];
};


export type MarketingProfileConflictsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type MarketingProfileInput = {
  consent?: InputMaybe<ConsentInput>;
  /** From 0 to 100. */
  leadScore?: InputMaybe<Scalars['Int']['input']>;
  segments?: InputMaybe<Array<Scalars['String']['input']>>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Writes only the fields given, merged or refused with VERSION_CONFLICT like every versioned write. */
  updateMarketingProfile: MarketingProfile;
};


export type MutationUpdateMarketingProfileArgs = {
  clientMutationId?: InputMaybe<Scalars['ID']['input']>;
  customerId: Scalars['ID']['input'];
  expectedVersion: Scalars['Int']['input'];
  input: MarketingProfileInput;
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
  ConflictValue: ResolverTypeWrapper<ConflictValue>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Consent: ResolverTypeWrapper<Consent>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ConsentInput: ConsentInput;
  Customer: ResolverTypeWrapper<CustomerRef>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  MarketingProfile: ResolverTypeWrapper<MarketingProfileRecord>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  MarketingProfileInput: MarketingProfileInput;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  WriteConflict: ResolverTypeWrapper<ConflictView>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ConflictValue: ConflictValue;
  String: Scalars['String']['output'];
  Consent: Consent;
  Boolean: Scalars['Boolean']['output'];
  ConsentInput: ConsentInput;
  Customer: CustomerRef;
  ID: Scalars['ID']['output'];
  DateTime: Scalars['DateTime']['output'];
  MarketingProfile: MarketingProfileRecord;
  Int: Scalars['Int']['output'];
  MarketingProfileInput: MarketingProfileInput;
  Mutation: Record<PropertyKey, never>;
  WriteConflict: ConflictView;
}>;

export type ConflictValueResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['ConflictValue'] = ResolversParentTypes['ConflictValue']> = ResolversObject<{
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  mine?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  theirs?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ConsentResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['Consent'] = ResolversParentTypes['Consent']> = ResolversObject<{
  email?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  sms?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  updatedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  marketing?: Resolver<Maybe<ResolversTypes['MarketingProfile']>, ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MarketingProfileResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['MarketingProfile'] = ResolversParentTypes['MarketingProfile']> = ResolversObject<{
  conflicts?: Resolver<Maybe<Array<ResolversTypes['WriteConflict']>>, ParentType, ContextType, RequireFields<MarketingProfileConflictsArgs, 'first'>>;
  consent?: Resolver<ResolversTypes['Consent'], ParentType, ContextType>;
  leadScore?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  segments?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  updateMarketingProfile?: Resolver<ResolversTypes['MarketingProfile'], ParentType, ContextType, RequireFields<MutationUpdateMarketingProfileArgs, 'customerId' | 'expectedVersion' | 'input'>>;
}>;

export type WriteConflictResolvers<ContextType = MarketingContext, ParentType extends ResolversParentTypes['WriteConflict'] = ResolversParentTypes['WriteConflict']> = ResolversObject<{
  actor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  conflictingFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  currentVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  deviceId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expectedVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['ConflictValue']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = MarketingContext> = ResolversObject<{
  ConflictValue?: ConflictValueResolvers<ContextType>;
  Consent?: ConsentResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  MarketingProfile?: MarketingProfileResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  WriteConflict?: WriteConflictResolvers<ContextType>;
}>;

