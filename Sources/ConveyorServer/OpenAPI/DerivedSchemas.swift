import ConveyorPeople
import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorDataManagement
import ConveyorLive
import ConveyorMonitoring
import ConveyorRequests
import ConveyorRuns
import ConveyorMonteCarlo
import ConveyorSkims
import ConveyorStore
import ConveyorWorkflow
import Foundation

/// The response schemas derived from the Swift types the handlers encode (``SchemaDerivation``),
/// named under `components/schemas` as the types are.
enum DerivedSchemas {
    /// Each named type with its examples.
    static let entries: [(name: String, derive: @Sendable () throws -> JSONSchema)] = [
        ("CatalogFile", { try derive(CatalogFile.self, SchemaExamples.catalogFile) }),
        ("FileProvenance", { try derive(FileCatalog.Provenance.self, SchemaExamples.provenance) }),
        ("LuminosityAccount", { try derive(LuminosityAccount.self, SchemaExamples.luminosityAccount) }),
        ("SearchResult", { try derive(SearchResult.self, SchemaExamples.searchResult) }),
        ("WorkflowRun", { try derive(WorkflowRun.self, SchemaExamples.workflowRun) }),
        ("WorkflowDetail", { try derive(Workflows.Detail.self, SchemaExamples.workflowDetail) }),
        ("WorkflowEvent", { try derive(WorkflowEvent.self, SchemaExamples.workflowEvent) }),
        ("TaskLog", { try derive(Workflows.TaskLog.self, SchemaExamples.taskLog) }),
        ("Pool", { try derive(Pool.self, SchemaExamples.pool) }),
        ("RequestSummary", { try derive(Requests.Summary.self, SchemaExamples.requestSummary) }),
        ("RequestDetail", { try derive(Requests.Detail.self, SchemaExamples.requestDetail) }),
        ("RequestJob", { try derive(RequestJob.self, SchemaExamples.requestJob) }),
        ("RequestEstimate", { try derive(RequestEstimate.self, SchemaExamples.requestEstimate) }),
        ("ProcessingRequest", { try derive(ProcessingRequest.self, SchemaExamples.processingRequest) }),
        ("BucketReport", { try derive(RunRegistry.BucketReport.self, SchemaExamples.bucketReport) }),
        ("PlannedBucket", { try derive(PlannedBucket.self, SchemaExamples.plannedBucket) }),
        ("RunDetail", { try derive(RunRegistry.Detail.self, SchemaExamples.runDetail) }),
        ("RunImportReport", { try derive(RunRegistry.ImportReport.self, SchemaExamples.importReport) }),
        ("EndpointUsage", { try derive(DataManagement.EndpointUsage.self, SchemaExamples.endpointUsage) }),
        ("ReplicationRule", { try derive(ReplicationRule.self, SchemaExamples.replicationRule) }),
        ("RuleDetail", { try derive(DataManagement.RuleDetail.self, SchemaExamples.ruleDetail) }),
        ("Dataset", { try derive(Dataset.self, SchemaExamples.dataset) }),
        ("DatasetDetail", { try derive(DataManagement.DatasetDetail.self, SchemaExamples.datasetDetail) }),
        ("UsageRow", { try derive(UsageRow.self, SchemaExamples.usageRow) }),
        ("PromptStatus", { try derive(PromptReco.Status.self, SchemaExamples.promptStatus) }),
        ("PromptRunDetail", { try derive(PromptRunDetail.self, SchemaExamples.promptRunDetail) }),
        ("InboxItem", { try derive(InboxItem.self, SchemaExamples.inboxItem) }),
        ("RequestTurnaround", { try derive(Requests.RequestTurnaround.self, SchemaExamples.requestTurnaround) }),
        ("RunTurnaround", { try derive(RunTurnaround.self, SchemaExamples.runTurnaround) }),
        ("Note", { try derive(Note.self, SchemaExamples.note) }),
        ("NotificationPreferences", { try derive(NotificationPreferences.self, SchemaExamples.notificationPreferences) }),
        ("NotificationOutbox", { try derive(Notifications.Outbox.self, SchemaExamples.notificationOutbox) }),
        ("LiveStatus", { try derive(LiveDataTaking.Status.self, SchemaExamples.liveStatus) }),
        ("LiveRunDetail", { try derive(LiveDataTaking.RunDetail.self, SchemaExamples.liveRunDetail) }),
        ("LiveConfiguration", { try derive(StoreSession.LiveConfigurationRow.self, SchemaExamples.liveConfiguration) }),
        ("AppendResult", { try derive(AppendResult.self, SchemaExamples.appendResult) }),
        ("RunMonitoring", { try derive(QualityMonitoring.RunMonitoring.self, SchemaExamples.runMonitoring) }),
        ("MonitoringTrend", { try derive(QualityMonitoring.Trend.self, SchemaExamples.monitoringTrend) }),
        ("ProcessingComparison", { try derive(QualityMonitoring.ProcessingComparison.self, SchemaExamples.processingComparison) }),
        ("MonitoringOutcome", { try derive(QualityMonitoring.Outcome.self, SchemaExamples.monitoringOutcome) }),
        ("MonitoringReference", { try derive(MonitoringReference.self, SchemaExamples.monitoringReference) }),
        ("ReferenceOutcome", { try derive(QualityMonitoring.ReferenceOutcome.self, SchemaExamples.referenceOutcome) }),
        ("QualityProposal", { try derive(QualityProposal.self, SchemaExamples.qualityProposal) }),
        ("Selection", { try derive(Selection.self, SchemaExamples.selection) }),
        ("StrippingRound", { try derive(StrippingRound.self, SchemaExamples.strippingRound) }),
        ("RoundReport", { try derive(StrippingRounds.RoundReport.self, SchemaExamples.roundReport) }),
        ("RoundTestReport", { try derive(StrippingRounds.TestReport.self, SchemaExamples.roundTestReport) }),
        ("OverlapMatrix", { try derive(OverlapMatrix.self, SchemaExamples.overlapMatrix) }),
        ("GroupingOutcome", { try derive(StrippingRounds.GroupingOutcome.self, SchemaExamples.groupingOutcome) }),
        ("RoundFile", { try derive(RoundFile.self, SchemaExamples.roundFile) }),
        ("Normalisation", { try derive(Normalisation.self, SchemaExamples.normalisation) }),
        ("RoundProvenance", { try derive(StrippingRounds.Provenance.self, SchemaExamples.roundProvenance) }),
        ("FileImpact", { try derive(StrippingRounds.Impact.self, SchemaExamples.fileImpact) }),
        ("MonteCarloCampaign", { try derive(MonteCarloCampaign.self, SchemaExamples.monteCarloCampaign) }),
        ("MonteCarloCampaignSummary", { try derive(MonteCarloProduction.CampaignSummary.self, SchemaExamples.monteCarloCampaignSummary) }),
        ("MonteCarloCampaignReport", { try derive(MonteCarloProduction.CampaignReport.self, SchemaExamples.monteCarloCampaignReport) }),
        ("MonteCarloRequest", { try derive(MonteCarloRequest.self, SchemaExamples.monteCarloRequest) }),
        ("MonteCarloRequestDetail", { try derive(MonteCarloProduction.RequestDetail.self, SchemaExamples.monteCarloRequestDetail) }),
        ("MonteCarloTestResult", { try derive(MonteCarloProduction.TestResult.self, SchemaExamples.monteCarloTestResult) }),
        ("MonteCarloPlan", { try derive(MonteCarloProduction.Plan.self, SchemaExamples.monteCarloPlan) }),
    ]

    static func derive<T: Codable>(_ type: T.Type, _ examples: [String]) throws -> JSONSchema {
        let decoder = JSONDecoder()
        let values = try examples.map { try decoder.decode(T.self, from: Data($0.utf8)) }
        return try SchemaDerivation.schema(of: values)
    }

    /// Defines every derived schema. One that cannot be derived (a unit test keeps that from
    /// happening) is published as an open object rather than stopping the server.
    static func defineAll(in book: APIBook) {
        for entry in entries {
            book.define(entry.name, (try? entry.derive()) ?? .object(properties: [:], required: []))
        }
    }
}
