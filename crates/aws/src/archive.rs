//! A trail's archive of log files in S3 (`trailwatch backtest`): which files hold an account's
//! events for some days, in every region, and their contents (S3 decrypts KMS-encrypted files
//! itself, given `kms:Decrypt`). The layout is CloudTrail's:
//! `[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE.json.gz`.

use futures::stream::{self, StreamExt, TryStreamExt};
use model::live::{Archive, ArchivedFile};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::StalledStreamProtectionConfig;

use crate::{errors, Aws, AwsError};

/// Listings in flight at once.
const LISTINGS: usize = 16;

/// Log files fetched at once.
const FETCHES: usize = 16;

/// One archive being read: its bucket, and one S3 client for every listing and fetch.
pub struct ArchiveReader<'a> {
    aws: &'a Aws,
    archive: Archive,
    s3: aws_sdk_s3::Client,
}

impl Aws {
    /// A reader of `archive`, through an S3 client in the bucket's own region (path-style
    /// addressing when an endpoint is given, as local S3 servers need). The bucket's region is
    /// asked first (`HeadBucket`, which needs `s3:ListBucket`), from the trail's region: AWS
    /// answers with the region, or redirects naming it when the bucket is elsewhere.
    pub async fn archive_reader(&self, archive: &Archive) -> Result<ArchiveReader<'_>, AwsError> {
        let near = self.s3_client(&archive.region);
        let region = self.bucket_region(&near, archive).await?;
        let s3 = match region {
            Some(region) if region != archive.region => {
                tracing::info!(bucket = %archive.bucket, %region, "the archive's bucket is in another region");
                self.s3_client(&region)
            }
            _ => near,
        };
        Ok(ArchiveReader {
            aws: self,
            archive: archive.clone(),
            s3,
        })
    }

    /// The archive's client, with the SDK's stalled-stream protection that the run's
    /// configuration turns off (`load`): a log file's body is streamed after its call ends, so
    /// no call timeout covers a download that stops.
    fn s3_client(&self, region: &str) -> aws_sdk_s3::Client {
        let path_style = self.config.endpoint_url().is_some();
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.config)
                .region(aws_config::Region::new(region.to_string()))
                .force_path_style(path_style)
                .stalled_stream_protection(StalledStreamProtectionConfig::enabled().build())
                .build(),
        )
    }

    /// The region of the archive's bucket, as `HeadBucket` tells it (in its answer, or in the
    /// redirect AWS sends from another region); None when neither names one.
    async fn bucket_region(
        &self,
        s3: &aws_sdk_s3::Client,
        archive: &Archive,
    ) -> Result<Option<String>, AwsError> {
        self.count("s3:ListBucket");
        match s3.head_bucket().bucket(&archive.bucket).send().await {
            Ok(answer) => Ok(answer.bucket_region().map(str::to_string)),
            Err(error) => match redirect_region(&error) {
                Some(region) => Ok(Some(region)),
                None if status_of(&error) == Some(404) => Err(AwsError::Other(format!(
                    "the trail's bucket `{}` does not exist (s3:ListBucket answered 404); point the trail at its bucket, or give local files to `backtest`",
                    archive.bucket
                ))),
                // A denied HeadBucket is a bare 403: no code, no message.
                None if status_of(&error) == Some(403) => Err(AwsError::Denied {
                    action: "s3:ListBucket".into(),
                    code: "AccessDenied".into(),
                    message: format!("HeadBucket of `{}` answered 403 Forbidden", archive.bucket),
                }),
                None => Err(errors::fatal("s3:ListBucket", error)),
            },
        }
    }
}

/// The region S3 names in the `x-amz-bucket-region` header of a redirect (301, or 400 for a
/// request signed for the wrong region).
fn redirect_region<E>(error: &aws_sdk_s3::error::SdkError<E, HttpResponse>) -> Option<String> {
    let response = error.raw_response()?;
    if !matches!(response.status().as_u16(), 301 | 307 | 400) {
        return None;
    }
    let region = response.headers().get("x-amz-bucket-region")?;
    Some(region.to_string()).filter(|r| !r.is_empty())
}

fn status_of<E>(error: &aws_sdk_s3::error::SdkError<E, HttpResponse>) -> Option<u16> {
    error.raw_response().map(|r| r.status().as_u16())
}

impl ArchiveReader<'_> {
    /// The log files of `account` for each day (`YYYY/MM/DD`), every region, in key order.
    /// Needs `s3:ListBucket` on the bucket.
    pub async fn files(
        &self,
        account: &str,
        days: &[String],
    ) -> Result<Vec<ArchivedFile>, AwsError> {
        let (s3, aws, bucket) = (&self.s3, self.aws, &self.archive.bucket);
        let mut folders = Vec::new();
        for account_folder in account_folders(s3, aws, &self.archive, account).await? {
            let trail_folder = format!("{account_folder}CloudTrail/");
            for region in sub_folders(s3, aws, bucket, &trail_folder).await? {
                folders.extend(days.iter().map(|day| format!("{region}{day}/")));
            }
        }
        let listed: Vec<Vec<ArchivedFile>> = stream::iter(folders)
            .map(|folder| list_files(s3, aws, bucket, folder))
            .buffer_unordered(LISTINGS)
            .try_collect()
            .await?;
        let mut files: Vec<ArchivedFile> = listed.into_iter().flatten().collect();
        files.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(files)
    }

    /// Fetches every file, `FETCHES` at once, and sends each, in order, to `queue` (bounded:
    /// sending waits for room off the async threads). Stops, without error, once nobody
    /// receives (the reader stopped at an unreadable file and reports it); a failed fetch ends
    /// it with its error.
    pub async fn fetch_into(
        &self,
        files: &[ArchivedFile],
        queue: std::sync::mpsc::SyncSender<(String, Vec<u8>)>,
    ) -> Result<(), AwsError> {
        let mut fetches = stream::iter(files)
            .map(|file| async move { (file.key.clone(), self.file(&file.key).await) })
            .buffered(FETCHES);
        while let Some((key, bytes)) = fetches.next().await {
            let bytes = bytes.map_err(|e| self.denied_read(e))?;
            let queue = queue.clone();
            let sent = tokio::task::spawn_blocking(move || queue.send((key, bytes))).await;
            if !matches!(sent, Ok(Ok(()))) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// A failed read of a log file, naming `kms:Decrypt` when the trail's files are encrypted.
    fn denied_read(&self, error: AwsError) -> AwsError {
        match (&error, &self.archive.kms_key_id) {
            (AwsError::Denied { .. }, Some(key)) => AwsError::Other(format!(
                "{error}; the trail's log files are encrypted with KMS key {key}, so `kms:Decrypt` on it is needed too"
            )),
            _ => error,
        }
    }

    /// One log file's bytes, as stored (gzipped). Needs `s3:GetObject` (and `kms:Decrypt` on
    /// the trail's key when it has one).
    async fn file(&self, key: &str) -> Result<Vec<u8>, AwsError> {
        self.aws.count("s3:GetObject");
        let bucket = &self.archive.bucket;
        let answer = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| errors::fatal("s3:GetObject", e))?;
        let body = answer.body.collect().await.map_err(|e| {
            AwsError::Other(format!(
                "s3:GetObject of s3://{bucket}/{key} broke off: {e}"
            ))
        })?;
        Ok(body.into_bytes().to_vec())
    }
}

/// The folders that hold `account`'s log files: `AWSLogs/ACCOUNT/` for a trail of the account,
/// `AWSLogs/o-ORGID/ACCOUNT/` for an organization trail (both when the bucket has both).
async fn account_folders(
    s3: &aws_sdk_s3::Client,
    aws: &Aws,
    archive: &Archive,
    account: &str,
) -> Result<Vec<String>, AwsError> {
    let root = match &archive.key_prefix {
        Some(prefix) => format!("{prefix}/AWSLogs/"),
        None => "AWSLogs/".to_string(),
    };
    let mut out = Vec::new();
    for folder in sub_folders(s3, aws, &archive.bucket, &root).await? {
        let name = folder[root.len()..].trim_end_matches('/');
        if name == account {
            out.push(folder);
        } else if name.starts_with("o-") {
            let member = format!("{folder}{account}/");
            if sub_folders(s3, aws, &archive.bucket, &member)
                .await?
                .iter()
                .any(|f| f.ends_with("CloudTrail/"))
            {
                out.push(member);
            }
        }
    }
    Ok(out)
}

/// The folders directly under `folder` (every page of `ListObjectsV2` with delimiter `/`).
async fn sub_folders(
    s3: &aws_sdk_s3::Client,
    aws: &Aws,
    bucket: &str,
    folder: &str,
) -> Result<Vec<String>, AwsError> {
    Ok(list(s3, aws, bucket, folder, Some("/")).await?.folders)
}

/// The files under one day's folder (every page).
async fn list_files(
    s3: &aws_sdk_s3::Client,
    aws: &Aws,
    bucket: &str,
    folder: String,
) -> Result<Vec<ArchivedFile>, AwsError> {
    Ok(list(s3, aws, bucket, &folder, None).await?.files)
}

/// What one listing found: the folders (with a delimiter) and the files.
struct Listing {
    folders: Vec<String>,
    files: Vec<ArchivedFile>,
}

/// Every page of `ListObjectsV2` under `prefix`.
async fn list(
    s3: &aws_sdk_s3::Client,
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
) -> Result<Listing, AwsError> {
    let mut pages = s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_delimiter(delimiter.map(str::to_string))
        .into_paginator()
        .send();
    let mut out = Listing {
        folders: Vec::new(),
        files: Vec::new(),
    };
    while let Some(page) = pages.next().await {
        aws.count("s3:ListBucket");
        let page = page.map_err(|e| errors::fatal("s3:ListBucket", e))?;
        let folders = page.common_prefixes().iter().filter_map(|p| p.prefix());
        out.folders.extend(folders.map(str::to_string));
        out.files.extend(page.contents().iter().filter_map(|o| {
            Some(ArchivedFile {
                key: o.key()?.to_string(),
                size: o.size().unwrap_or(0).max(0) as u64,
            })
        }));
    }
    Ok(out)
}
