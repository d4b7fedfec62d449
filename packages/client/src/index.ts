// @ovo-tokenize/client: the merchant's SDK for OVO Tokenize.
export { OvoTokenizeClient, CLIENT_VERSION, type OvoTokenizeClientOptions, type CallOptions } from './client.ts';
export { GATEWAY_ENDPOINTS, FASPAY_SANDBOX_ENDPOINTS, endpointUrl, type EndpointPath, type Endpoints } from './endpoints.ts';
export {
  OvoTokenizeError, OvoConnectionError, OvoTimeoutError, OvoFormatError, OvoAuthenticationError, OvoInvalidRequestError,
  OvoApiError, OvoSignatureVerificationError, errorFor,
  type OvoErrorDetails, type ReplyFacts, type SignatureProblem,
} from './errors.ts';
export { RETRY_SAFE, DEFAULT_BACKOFF, backoffDelayMs, type BackoffOptions } from './retry.ts';
export { tsName, type TsName, type CamelCase } from './names.ts';
export {
  FAILURE_CODES, PAY_TYPE_WIRE,
  type PayType, type Args, type Ok, type Failed, type RelinkRequired, type Result, type FailureCode, type RelinkingOperation,
  type ReplyFieldName, type WireValue, type NestedResults, type TopupInstruction, type HistoryTransaction,
  type ActivateArgs, type PayArgs, type TopupInstructionsArgs, type BalanceArgs, type HistoryArgs, type HistoryAllArgs,
  type UnlinkArgs, type PaymentStatusArgs, type CancelArgs,
  type ActivateResult, type PayResult, type TopupInstructionsResult, type BalanceResult, type HistoryResult,
  type UnlinkResult, type PaymentStatusResult, type CancelResult,
  type PaymentNotification, type ActivationCallback,
} from './types.ts';
export {
  parseNotification, verifyNotification, notificationAck,
  type RawBody, type ParseNotificationOptions, type VerifyNotificationOptions, type NotificationAck, type NotificationAckOptions,
} from './receivers/notification.ts';
export { verifyActivationCallback, type CallbackQuery, type VerifyActivationCallbackOptions } from './receivers/activation-callback.ts';
export { verifyPaymentReturn, type PaymentReturn, type VerifyPaymentReturnOptions } from './receivers/payment-return.ts';
export { createNotificationHandler, type NotificationHandlerOptions, type NotificationContext } from './receivers/handler.ts';
export {
  SandboxClient, OvoSandboxError, OvoSandboxUnavailableError,
  type SandboxScenarioInput, type SandboxScenario, type SandboxPaymentOutcome, type SandboxDeliveryFilter,
  type SandboxTriggerOptions,
} from './sandbox.ts';
export type {
  SandboxClock, SandboxDelivery, SandboxDeliveryDetail, SandboxDeliveryAttempt, SandboxDeliveryKind, SandboxDeliveryStatus,
  SandboxReceiverCheck, SandboxReceiverReport, SandboxTriggerEvent, SandboxTriggerResult,
} from '@ovo-tokenize/protocol';
export type { HeaderSource } from './receivers/headers.ts';
export type { AmountDecimals } from './values.ts';
export type { OperationName, PaymentStatusCode, WireFormat } from '@ovo-tokenize/protocol';
