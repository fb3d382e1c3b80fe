/**
 * Grafana's CloudWatch data source of a cell: what the kube-prometheus-stack values provision and
 * what Grafana's Pod Identity role may read. Plain values (no resource), so the tests and the docs
 * read exactly what is deployed.
 */
import { policyDocument } from "../iam";

/**
 * The data source's reference in dashboards: Grafana's plugin id `cloudwatch` and a uid of our
 * own, stable across installs (a provisioned data source without one gets a random uid, and a
 * panel naming it would break on the next install).
 */
export const CLOUDWATCH_DATASOURCE = { type: "cloudwatch", uid: "cloudwatch" } as const;

/**
 * The data source as Grafana's provisioning file lists it (`grafana.additionalDataSources` of
 * kube-prometheus-stack 88.5.3, values.yaml; rendered through `tpl` into the chart's datasource
 * ConfigMap, templates/grafana/configmaps-datasources.yaml, so nothing here may contain `{{`).
 * `authType: default` is the AWS SDK's default chain (grafana/grafana-aws-sdk pkg/awsauth/auth.go:
 * `LoadDefaultConfig` of aws-sdk-go-v2 config v1.32), which reads EKS Pod Identity's container
 * credentials; `default` is among the auth providers Grafana allows out of the box
 * (pkg/awsds/authSettings.go). Keys are the provisioning example of Grafana's docs
 * (grafana/grafana/docs/sources/datasources/aws-cloudwatch/configure/index.md, "Using AWS SDK (default)").
 * The cell's own region only: a cell's Grafana never reads another region's metrics.
 */
export function cloudWatchDataSource(region: string): Record<string, unknown> {
    return {
        name: "CloudWatch",
        type: CLOUDWATCH_DATASOURCE.type,
        uid: CLOUDWATCH_DATASOURCE.uid,
        access: "proxy",
        isDefault: false,
        editable: false,
        jsonData: { authType: "default", defaultRegion: region },
    };
}

/**
 * What Grafana's role may do: the "Metrics-only permissions" of Grafana's docs
 * (grafana/grafana/docs/sources/datasources/aws-cloudwatch/configure/index.md at 0a9de19, "IAM policy
 * examples"), statement for statement. The logs permissions (logs:StartQuery, GetQueryResults, …) are
 * left out: no panel queries CloudWatch Logs (the cell's logs are in OpenSearch). Every action is
 * read-only, and on `Resource: "*"` as the docs grant it: the metric reads (GetMetricData,
 * ListMetrics, DescribeAlarmsForMetric) act on metrics, which have no ARN, and DescribeAlarms
 * returns composite alarms only when allowed on "*" (CloudWatch API reference, DescribeAlarms).
 * The pack's `iam-inline-least-privilege` judges this as any inline document: no "*" action, no
 * `service:*`.
 */
const GRAFANA_CLOUDWATCH_STATEMENTS = [
    {
        Sid: "AllowReadingMetricsFromCloudWatch",
        Effect: "Allow",
        Action: [
            "cloudwatch:DescribeAlarmsForMetric",
            "cloudwatch:DescribeAlarmHistory",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListMetrics",
            "cloudwatch:GetMetricData",
            "cloudwatch:GetInsightRuleReport",
        ],
        Resource: "*",
    },
    {
        Sid: "AllowReadingTagsInstancesRegionsFromEC2",
        Effect: "Allow",
        Action: ["ec2:DescribeTags", "ec2:DescribeInstances", "ec2:DescribeRegions"],
        Resource: "*",
    },
    { Sid: "AllowReadingResourcesForTags", Effect: "Allow", Action: "tag:GetResources", Resource: "*" },
    { Sid: "AllowReadingResourceMetricsFromPerformanceInsights", Effect: "Allow", Action: "pi:GetResourceMetrics", Resource: "*" },
] as const;

/** Grafana's inline policy document (JSON). */
export function grafanaCloudWatchPolicy(): string {
    return JSON.stringify(policyDocument<(typeof GRAFANA_CLOUDWATCH_STATEMENTS)[number]>(...GRAFANA_CLOUDWATCH_STATEMENTS));
}
