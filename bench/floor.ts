// The floor of every plan: a process that only imports the five provider SDKs.
import "@pulumi/pulumi";
import "@pulumi/aws";
import "@pulumi/cloudflare";
import "@pulumi/kubernetes";
import "@pulumi/random";
