#!/usr/bin/env python3
"""Creates what the function delivers to in moto_server, for scripts/e2e.sh (with .venv-moto's
python, for boto3); tests/py/test_e2e.py reads it all back.

  delivery_check.py setup ENDPOINT BUCKET TOPIC
      creates BUCKET, topic TOPIC and queue TOPIC-queue subscribed to it (raw delivery off);
      prints `TOPIC_ARN QUEUE_URL`
"""
import sys

import boto3


def client(service, endpoint):
    # moto reads no signature; the dummy identity is lib.sh's offline one.
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDOFFLINE000000001",
                        aws_secret_access_key="offline-secret-not-real")


def setup(endpoint, bucket, topic):
    s3, sns, sqs = (client(s, endpoint) for s in ("s3", "sns", "sqs"))
    s3.create_bucket(Bucket=bucket)
    topic_arn = sns.create_topic(Name=topic)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{topic}-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"],
                  Attributes={"RawMessageDelivery": "false"})
    print(topic_arn, queue_url)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "setup":
        sys.exit(__doc__)
    setup(*sys.argv[2:])
