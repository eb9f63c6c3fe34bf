""" Contains all the data models used in inputs/outputs """

from .agent import Agent
from .agent_body import AgentBody
from .agent_list import AgentList
from .agent_status import AgentStatus
from .ai_agent_manager import AiAgentManager
from .ai_agent_manager_body import AiAgentManagerBody
from .ai_agent_manager_list import AiAgentManagerList
from .analytics import Analytics
from .annotation import Annotation
from .api_key import ApiKey
from .api_key_list import ApiKeyList
from .article_body import ArticleBody
from .article_from_review_body import ArticleFromReviewBody
from .article_status import ArticleStatus
from .assistant_message import AssistantMessage
from .attempt import Attempt
from .change import Change
from .change_counts import ChangeCounts
from .channel import Channel
from .channel_body import ChannelBody
from .channel_body_config_type_0 import ChannelBodyConfigType0
from .channel_config import ChannelConfig
from .channel_kind import ChannelKind
from .channel_list import ChannelList
from .chart_choice import ChartChoice
from .chart_type import ChartType
from .chat_completion import ChatCompletion
from .chat_completion_choice import ChatCompletionChoice
from .chat_completion_chunk import ChatCompletionChunk
from .chat_completion_message import ChatCompletionMessage
from .chat_completion_request import ChatCompletionRequest
from .chat_document import ChatDocument
from .chat_document_content import ChatDocumentContent
from .chat_list import ChatList
from .chat_list_item import ChatListItem
from .chat_message import ChatMessage
from .chat_metadata import ChatMetadata
from .chat_request import ChatRequest
from .chat_response import ChatResponse
from .chat_source import ChatSource
from .chat_stream_frame import ChatStreamFrame
from .chat_stream_frame_error import ChatStreamFrameError
from .chat_view import ChatView
from .chunk_choice import ChunkChoice
from .chunk_choice_delta import ChunkChoiceDelta
from .chunk_view import ChunkView
from .cited_ref import CitedRef
from .cited_source import CitedSource
from .column import Column
from .completion_metadata import CompletionMetadata
from .completion_usage import CompletionUsage
from .component import Component
from .components import Components
from .connector_body import ConnectorBody
from .connector_body_config_type_0 import ConnectorBodyConfigType0
from .connector_kind import ConnectorKind
from .content_part import ContentPart
from .create_agent_body import CreateAgentBody
from .create_ai_agent_manager_body import CreateAiAgentManagerBody
from .create_api_key import CreateApiKey
from .create_api_key_body import CreateApiKeyBody
from .create_api_key_body_permissions_item import CreateApiKeyBodyPermissionsItem
from .create_api_key_permissions_item import CreateApiKeyPermissionsItem
from .create_data_connector_body import CreateDataConnectorBody
from .create_data_connector_body_config import CreateDataConnectorBodyConfig
from .create_data_source import CreateDataSource
from .create_data_source_config import CreateDataSourceConfig
from .create_data_spec import CreateDataSpec
from .create_data_spec_config_type_0 import CreateDataSpecConfigType0
from .create_eval_set_body import CreateEvalSetBody
from .create_job_body import CreateJobBody
from .create_job_body_parameter_sets_type_0_item import CreateJobBodyParameterSetsType0Item
from .create_kb_article_body import CreateKbArticleBody
from .create_notification_channel_body import CreateNotificationChannelBody
from .create_notification_channel_body_config import CreateNotificationChannelBodyConfig
from .create_user import CreateUser
from .create_webhook_body import CreateWebhookBody
from .created_api_key import CreatedApiKey
from .data_connector import DataConnector
from .data_connector_config import DataConnectorConfig
from .data_connector_list import DataConnectorList
from .data_source import DataSource
from .data_source_config import DataSourceConfig
from .data_source_list import DataSourceList
from .database_schema import DatabaseSchema
from .delivery import Delivery
from .delivery_list import DeliveryList
from .delivery_payload import DeliveryPayload
from .delivery_status import DeliveryStatus
from .document_detail_view import DocumentDetailView
from .document_error import DocumentError
from .document_kind import DocumentKind
from .document_list import DocumentList
from .document_status import DocumentStatus
from .document_view import DocumentView
from .error_envelope import ErrorEnvelope
from .error_envelope_error import ErrorEnvelopeError
from .error_envelope_error_details import ErrorEnvelopeErrorDetails
from .eval_aggregate import EvalAggregate
from .eval_comparison import EvalComparison
from .eval_item import EvalItem
from .eval_item_body import EvalItemBody
from .eval_item_result import EvalItemResult
from .eval_run import EvalRun
from .eval_run_agent_snapshot import EvalRunAgentSnapshot
from .eval_run_detail import EvalRunDetail
from .eval_run_list import EvalRunList
from .eval_run_request import EvalRunRequest
from .eval_run_status import EvalRunStatus
from .eval_set import EvalSet
from .eval_set_body import EvalSetBody
from .eval_set_list import EvalSetList
from .feedback import Feedback
from .feedback_request import FeedbackRequest
from .file_list import FileList
from .get_analytics_granularity import GetAnalyticsGranularity
from .get_dashboard_legacy_granularity import GetDashboardLegacyGranularity
from .granularity import Granularity
from .grove_options import GroveOptions
from .initiator import Initiator
from .interaction import Interaction
from .interaction_list import InteractionList
from .item_comparison import ItemComparison
from .item_side import ItemSide
from .job import Job
from .job_body import JobBody
from .job_body_parameter_sets_type_0_item import JobBodyParameterSetsType0Item
from .job_list import JobList
from .job_parameter_sets_item import JobParameterSetsItem
from .kb_article import KbArticle
from .kb_article_list import KbArticleList
from .kb_article_version import KbArticleVersion
from .kb_version_list import KbVersionList
from .key_environment import KeyEnvironment
from .legacy_agent import LegacyAgent
from .legacy_agent_status import LegacyAgentStatus
from .legacy_ai_agent_manager import LegacyAiAgentManager
from .legacy_ai_agent_manager_body import LegacyAiAgentManagerBody
from .legacy_ai_agent_manager_list import LegacyAiAgentManagerList
from .legacy_analytics import LegacyAnalytics
from .legacy_api_key import LegacyApiKey
from .legacy_api_key_list import LegacyApiKeyList
from .legacy_article_status import LegacyArticleStatus
from .legacy_chat_document import LegacyChatDocument
from .legacy_chat_document_content import LegacyChatDocumentContent
from .legacy_chat_list import LegacyChatList
from .legacy_chat_list_item import LegacyChatListItem
from .legacy_chat_message import LegacyChatMessage
from .legacy_chat_metadata import LegacyChatMetadata
from .legacy_chat_request import LegacyChatRequest
from .legacy_chat_response import LegacyChatResponse
from .legacy_chat_source import LegacyChatSource
from .legacy_chat_stream_frame import LegacyChatStreamFrame
from .legacy_chat_stream_frame_error import LegacyChatStreamFrameError
from .legacy_chat_view import LegacyChatView
from .legacy_cited_source import LegacyCitedSource
from .legacy_component import LegacyComponent
from .legacy_components import LegacyComponents
from .legacy_create_ai_agent_manager_body import LegacyCreateAiAgentManagerBody
from .legacy_create_api_key_body import LegacyCreateApiKeyBody
from .legacy_create_api_key_body_permissions_item import LegacyCreateApiKeyBodyPermissionsItem
from .legacy_create_data_spec import LegacyCreateDataSpec
from .legacy_create_data_spec_config_type_0 import LegacyCreateDataSpecConfigType0
from .legacy_create_user import LegacyCreateUser
from .legacy_created_api_key import LegacyCreatedApiKey
from .legacy_data_source import LegacyDataSource
from .legacy_data_source_config import LegacyDataSourceConfig
from .legacy_data_source_list import LegacyDataSourceList
from .legacy_document_error import LegacyDocumentError
from .legacy_document_kind import LegacyDocumentKind
from .legacy_feedback import LegacyFeedback
from .legacy_feedback_request import LegacyFeedbackRequest
from .legacy_granularity import LegacyGranularity
from .legacy_initiator import LegacyInitiator
from .legacy_interaction import LegacyInteraction
from .legacy_interaction_list import LegacyInteractionList
from .legacy_kb_article import LegacyKbArticle
from .legacy_kb_article_list import LegacyKbArticleList
from .legacy_key_environment import LegacyKeyEnvironment
from .legacy_legacy_feedback_request import LegacyLegacyFeedbackRequest
from .legacy_legacy_webhook_body import LegacyLegacyWebhookBody
from .legacy_message_role import LegacyMessageRole
from .legacy_metrics import LegacyMetrics
from .legacy_model_source import LegacyModelSource
from .legacy_model_usage import LegacyModelUsage
from .legacy_named_ref import LegacyNamedRef
from .legacy_outcome import LegacyOutcome
from .legacy_point import LegacyPoint
from .legacy_rag_strategy import LegacyRagStrategy
from .legacy_retrieval_trace import LegacyRetrievalTrace
from .legacy_review_status import LegacyReviewStatus
from .legacy_role import LegacyRole
from .legacy_run import LegacyRun
from .legacy_run_parameters import LegacyRunParameters
from .legacy_run_status import LegacyRunStatus
from .legacy_scope import LegacyScope
from .legacy_search_chunk import LegacySearchChunk
from .legacy_search_metadata import LegacySearchMetadata
from .legacy_search_mode import LegacySearchMode
from .legacy_semantic_search import LegacySemanticSearch
from .legacy_semantic_search_results import LegacySemanticSearchResults
from .legacy_source_kind import LegacySourceKind
from .legacy_source_status import LegacySourceStatus
from .legacy_span import LegacySpan
from .legacy_sync_frequency import LegacySyncFrequency
from .legacy_sync_queued import LegacySyncQueued
from .legacy_sync_status import LegacySyncStatus
from .legacy_sync_status_view import LegacySyncStatusView
from .legacy_update_data_source import LegacyUpdateDataSource
from .legacy_update_data_source_config_type_0 import LegacyUpdateDataSourceConfigType0
from .legacy_update_user import LegacyUpdateUser
from .legacy_user import LegacyUser
from .legacy_user_list import LegacyUserList
from .legacy_webhook import LegacyWebhook
from .legacy_webhook_body import LegacyWebhookBody
from .legacy_webhook_status import LegacyWebhookStatus
from .message_role import MessageRole
from .metrics import Metrics
from .model_details import ModelDetails
from .model_list import ModelList
from .model_source import ModelSource
from .model_usage import ModelUsage
from .model_view import ModelView
from .named_ref import NamedRef
from .new_chat_body import NewChatBody
from .notification_attempt import NotificationAttempt
from .notification_delivery import NotificationDelivery
from .notification_delivery_list import NotificationDeliveryList
from .notification_status import NotificationStatus
from .notify_level import NotifyLevel
from .notify_topic import NotifyTopic
from .open_ai_error_envelope import OpenAiErrorEnvelope
from .open_ai_error_envelope_error import OpenAiErrorEnvelopeError
from .open_ai_error_envelope_error_details import OpenAiErrorEnvelopeErrorDetails
from .org_settings import OrgSettings
from .org_settings_body import OrgSettingsBody
from .outcome import Outcome
from .param_spec import ParamSpec
from .param_spec_default_type_0 import ParamSpecDefaultType0
from .param_type import ParamType
from .point import Point
from .query_answer import QueryAnswer
from .query_body import QueryBody
from .query_body_parameters_type_0 import QueryBodyParametersType0
from .query_metadata import QueryMetadata
from .query_request import QueryRequest
from .query_response import QueryResponse
from .query_stream_frame import QueryStreamFrame
from .query_stream_frame_error import QueryStreamFrameError
from .rag_strategy import RagStrategy
from .retrieval_trace import RetrievalTrace
from .retry_policy import RetryPolicy
from .review_body import ReviewBody
from .review_interaction_body import ReviewInteractionBody
from .review_status import ReviewStatus
from .role import Role
from .run import Run
from .run_list import RunList
from .run_parameters import RunParameters
from .run_request import RunRequest
from .run_request_parameter_sets_type_0_item import RunRequestParameterSetsType0Item
from .run_request_parameters_type_0 import RunRequestParametersType0
from .run_side import RunSide
from .run_status import RunStatus
from .saved_query import SavedQuery
from .scope import Scope
from .search_chunk import SearchChunk
from .search_metadata import SearchMetadata
from .search_mode import SearchMode
from .semantic_search import SemanticSearch
from .semantic_search_results import SemanticSearchResults
from .session_turn import SessionTurn
from .session_view import SessionView
from .setting_change import SettingChange
from .setting_change_base import SettingChangeBase
from .setting_change_head import SettingChangeHead
from .skipped_file import SkippedFile
from .source_kind import SourceKind
from .source_status import SourceStatus
from .span import Span
from .started import Started
from .stored_file import StoredFile
from .stream_options import StreamOptions
from .sync_frequency import SyncFrequency
from .sync_queued import SyncQueued
from .sync_status import SyncStatus
from .sync_status_view import SyncStatusView
from .table_kind import TableKind
from .table_schema import TableSchema
from .test_report import TestReport
from .triggered import Triggered
from .update_data_source import UpdateDataSource
from .update_data_source_config_type_0 import UpdateDataSourceConfigType0
from .update_user import UpdateUser
from .upload_files import UploadFiles
from .upload_report import UploadReport
from .url_citation import UrlCitation
from .user import User
from .user_list import UserList
from .webhook import Webhook
from .webhook_body import WebhookBody
from .webhook_list import WebhookList
from .webhook_status import WebhookStatus
from .webhook_with_secret import WebhookWithSecret

__all__ = (
    "Agent",
    "AgentBody",
    "AgentList",
    "AgentStatus",
    "AiAgentManager",
    "AiAgentManagerBody",
    "AiAgentManagerList",
    "Analytics",
    "Annotation",
    "ApiKey",
    "ApiKeyList",
    "ArticleBody",
    "ArticleFromReviewBody",
    "ArticleStatus",
    "AssistantMessage",
    "Attempt",
    "Change",
    "ChangeCounts",
    "Channel",
    "ChannelBody",
    "ChannelBodyConfigType0",
    "ChannelConfig",
    "ChannelKind",
    "ChannelList",
    "ChartChoice",
    "ChartType",
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionRequest",
    "ChatDocument",
    "ChatDocumentContent",
    "ChatList",
    "ChatListItem",
    "ChatMessage",
    "ChatMetadata",
    "ChatRequest",
    "ChatResponse",
    "ChatSource",
    "ChatStreamFrame",
    "ChatStreamFrameError",
    "ChatView",
    "ChunkChoice",
    "ChunkChoiceDelta",
    "ChunkView",
    "CitedRef",
    "CitedSource",
    "Column",
    "CompletionMetadata",
    "CompletionUsage",
    "Component",
    "Components",
    "ConnectorBody",
    "ConnectorBodyConfigType0",
    "ConnectorKind",
    "ContentPart",
    "CreateAgentBody",
    "CreateAiAgentManagerBody",
    "CreateApiKey",
    "CreateApiKeyBody",
    "CreateApiKeyBodyPermissionsItem",
    "CreateApiKeyPermissionsItem",
    "CreatedApiKey",
    "CreateDataConnectorBody",
    "CreateDataConnectorBodyConfig",
    "CreateDataSource",
    "CreateDataSourceConfig",
    "CreateDataSpec",
    "CreateDataSpecConfigType0",
    "CreateEvalSetBody",
    "CreateJobBody",
    "CreateJobBodyParameterSetsType0Item",
    "CreateKbArticleBody",
    "CreateNotificationChannelBody",
    "CreateNotificationChannelBodyConfig",
    "CreateUser",
    "CreateWebhookBody",
    "DatabaseSchema",
    "DataConnector",
    "DataConnectorConfig",
    "DataConnectorList",
    "DataSource",
    "DataSourceConfig",
    "DataSourceList",
    "Delivery",
    "DeliveryList",
    "DeliveryPayload",
    "DeliveryStatus",
    "DocumentDetailView",
    "DocumentError",
    "DocumentKind",
    "DocumentList",
    "DocumentStatus",
    "DocumentView",
    "ErrorEnvelope",
    "ErrorEnvelopeError",
    "ErrorEnvelopeErrorDetails",
    "EvalAggregate",
    "EvalComparison",
    "EvalItem",
    "EvalItemBody",
    "EvalItemResult",
    "EvalRun",
    "EvalRunAgentSnapshot",
    "EvalRunDetail",
    "EvalRunList",
    "EvalRunRequest",
    "EvalRunStatus",
    "EvalSet",
    "EvalSetBody",
    "EvalSetList",
    "Feedback",
    "FeedbackRequest",
    "FileList",
    "GetAnalyticsGranularity",
    "GetDashboardLegacyGranularity",
    "Granularity",
    "GroveOptions",
    "Initiator",
    "Interaction",
    "InteractionList",
    "ItemComparison",
    "ItemSide",
    "Job",
    "JobBody",
    "JobBodyParameterSetsType0Item",
    "JobList",
    "JobParameterSetsItem",
    "KbArticle",
    "KbArticleList",
    "KbArticleVersion",
    "KbVersionList",
    "KeyEnvironment",
    "LegacyAgent",
    "LegacyAgentStatus",
    "LegacyAiAgentManager",
    "LegacyAiAgentManagerBody",
    "LegacyAiAgentManagerList",
    "LegacyAnalytics",
    "LegacyApiKey",
    "LegacyApiKeyList",
    "LegacyArticleStatus",
    "LegacyChatDocument",
    "LegacyChatDocumentContent",
    "LegacyChatList",
    "LegacyChatListItem",
    "LegacyChatMessage",
    "LegacyChatMetadata",
    "LegacyChatRequest",
    "LegacyChatResponse",
    "LegacyChatSource",
    "LegacyChatStreamFrame",
    "LegacyChatStreamFrameError",
    "LegacyChatView",
    "LegacyCitedSource",
    "LegacyComponent",
    "LegacyComponents",
    "LegacyCreateAiAgentManagerBody",
    "LegacyCreateApiKeyBody",
    "LegacyCreateApiKeyBodyPermissionsItem",
    "LegacyCreatedApiKey",
    "LegacyCreateDataSpec",
    "LegacyCreateDataSpecConfigType0",
    "LegacyCreateUser",
    "LegacyDataSource",
    "LegacyDataSourceConfig",
    "LegacyDataSourceList",
    "LegacyDocumentError",
    "LegacyDocumentKind",
    "LegacyFeedback",
    "LegacyFeedbackRequest",
    "LegacyGranularity",
    "LegacyInitiator",
    "LegacyInteraction",
    "LegacyInteractionList",
    "LegacyKbArticle",
    "LegacyKbArticleList",
    "LegacyKeyEnvironment",
    "LegacyLegacyFeedbackRequest",
    "LegacyLegacyWebhookBody",
    "LegacyMessageRole",
    "LegacyMetrics",
    "LegacyModelSource",
    "LegacyModelUsage",
    "LegacyNamedRef",
    "LegacyOutcome",
    "LegacyPoint",
    "LegacyRagStrategy",
    "LegacyRetrievalTrace",
    "LegacyReviewStatus",
    "LegacyRole",
    "LegacyRun",
    "LegacyRunParameters",
    "LegacyRunStatus",
    "LegacyScope",
    "LegacySearchChunk",
    "LegacySearchMetadata",
    "LegacySearchMode",
    "LegacySemanticSearch",
    "LegacySemanticSearchResults",
    "LegacySourceKind",
    "LegacySourceStatus",
    "LegacySpan",
    "LegacySyncFrequency",
    "LegacySyncQueued",
    "LegacySyncStatus",
    "LegacySyncStatusView",
    "LegacyUpdateDataSource",
    "LegacyUpdateDataSourceConfigType0",
    "LegacyUpdateUser",
    "LegacyUser",
    "LegacyUserList",
    "LegacyWebhook",
    "LegacyWebhookBody",
    "LegacyWebhookStatus",
    "MessageRole",
    "Metrics",
    "ModelDetails",
    "ModelList",
    "ModelSource",
    "ModelUsage",
    "ModelView",
    "NamedRef",
    "NewChatBody",
    "NotificationAttempt",
    "NotificationDelivery",
    "NotificationDeliveryList",
    "NotificationStatus",
    "NotifyLevel",
    "NotifyTopic",
    "OpenAiErrorEnvelope",
    "OpenAiErrorEnvelopeError",
    "OpenAiErrorEnvelopeErrorDetails",
    "OrgSettings",
    "OrgSettingsBody",
    "Outcome",
    "ParamSpec",
    "ParamSpecDefaultType0",
    "ParamType",
    "Point",
    "QueryAnswer",
    "QueryBody",
    "QueryBodyParametersType0",
    "QueryMetadata",
    "QueryRequest",
    "QueryResponse",
    "QueryStreamFrame",
    "QueryStreamFrameError",
    "RagStrategy",
    "RetrievalTrace",
    "RetryPolicy",
    "ReviewBody",
    "ReviewInteractionBody",
    "ReviewStatus",
    "Role",
    "Run",
    "RunList",
    "RunParameters",
    "RunRequest",
    "RunRequestParameterSetsType0Item",
    "RunRequestParametersType0",
    "RunSide",
    "RunStatus",
    "SavedQuery",
    "Scope",
    "SearchChunk",
    "SearchMetadata",
    "SearchMode",
    "SemanticSearch",
    "SemanticSearchResults",
    "SessionTurn",
    "SessionView",
    "SettingChange",
    "SettingChangeBase",
    "SettingChangeHead",
    "SkippedFile",
    "SourceKind",
    "SourceStatus",
    "Span",
    "Started",
    "StoredFile",
    "StreamOptions",
    "SyncFrequency",
    "SyncQueued",
    "SyncStatus",
    "SyncStatusView",
    "TableKind",
    "TableSchema",
    "TestReport",
    "Triggered",
    "UpdateDataSource",
    "UpdateDataSourceConfigType0",
    "UpdateUser",
    "UploadFiles",
    "UploadReport",
    "UrlCitation",
    "User",
    "UserList",
    "Webhook",
    "WebhookBody",
    "WebhookList",
    "WebhookStatus",
    "WebhookWithSecret",
)
