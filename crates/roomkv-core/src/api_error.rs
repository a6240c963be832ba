//! Vendor errors: [`ApiError`] and the code tables of both vendors.
//!
//! Every documented code has a variant; any other code round-trips through `Other`. Each code is
//! classified ([`CodeClass`]) so the layers above can decide about retries without a table of
//! their own.

use std::fmt;

/// How a vendor code should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeClass {
    /// The request succeeded.
    Success,
    /// The server refused the request without processing it because of a quota; retrying after a
    /// backoff is safe for every operation, writes included.
    Throttled,
    /// A transient server failure. A read may be retried; whether a write was applied is unknown,
    /// but the server is done with it.
    Retryable,
    /// The vendor gave up waiting for its own backend: a read may be retried; a write may have
    /// been applied, or may still be applied at any later moment, so it must not be repeated.
    TimedOut,
    /// The request was refused for good; retrying the same request gives the same answer.
    Final,
}

/// Declares a vendor code enum with its numeric values, classes and descriptions.
macro_rules! vendor_codes {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $variant:ident = $num:literal, $class:ident, $desc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( #[doc = concat!("`", stringify!($num), "`: ", $desc)] $variant, )*
            /// A code this version does not know. It round-trips unchanged and is classified
            /// [`CodeClass::Final`].
            Other(i64),
        }

        impl $name {
            /// The variant for a numeric code; unknown codes become `Other`.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    $( $num => Self::$variant, )*
                    other => Self::Other(other),
                }
            }

            /// The numeric code.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $num, )*
                    Self::Other(code) => code,
                }
            }

            /// How this code should be handled.
            pub const fn class(self) -> CodeClass {
                match self {
                    $( Self::$variant => CodeClass::$class, )*
                    Self::Other(_) => CodeClass::Final,
                }
            }

            /// The vendor's meaning of this code, in English.
            pub const fn description(self) -> &'static str {
                match self {
                    $( Self::$variant => $desc, )*
                    Self::Other(_) => "code not documented",
                }
            }

            /// Every documented code.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )* ];
        }

        impl From<i64> for $name {
            fn from(code: i64) -> Self {
                Self::from_code(code)
            }
        }

        impl From<$name> for i64 {
            fn from(code: $name) -> Self {
                code.code()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.code())
            }
        }
    };
}

vendor_codes! {
    /// RongCloud / Nexconn business codes (`docs/vendors/rongcloud.md#codes`).
    RongCloudCode {
        Success = 200, Success, "success (legacy API)";
        SuccessV4 = 0, Success, "success (Nexconn v4 API)";
        UserNotFound = 400, Final, "user ID does not exist (Nexconn v4)";
        EndpointNotFound = 404, Final, "endpoint not found (Nexconn v4)";
        InternalError = 1000, Retryable, "internal logic error, retry later";
        IncorrectAppSecret = 1001, Final, "App Key and App Secret do not match";
        ParameterError = 1002, Final, "parameter error";
        NoPostData = 1003, Final, "no POST data";
        SignatureError = 1004, Final, "signature error, check the App Key and App Secret";
        ParameterTooLong = 1005, Final, "parameter exceeds its maximum length";
        AppUnavailable = 1006, Final, "app locked, deleted or offline";
        MethodRestricted = 1007, Final, "method restricted or IP not allowed";
        RateLimited = 1008, Throttled, "call frequency exceeds the limit";
        ServiceNotEnabled = 1009, Final, "service not enabled for this App Key";
        DataNotFound = 1015, Final, "the data to delete does not exist";
        InternalTimeout = 1050, TimedOut, "internal service timeout";
        ParameterTypeError = 1501, Final, "parameter type incorrect";
        QuantityExceeded = 1502, Final, "quantity exceeds the limit";
        BodyTooLarge = 1508, Final, "request body too large (at most 100 KB)";
    }
}

vendor_codes! {
    /// Tencent Cloud IM / Live error codes (`docs/vendors/tencent.md#codes`).
    TencentCode {
        Ok = 0, Success, "success";
        HttpParseError = 60002, Final, "HTTP parse error, check the URL format";
        JsonParseError = 60003, Final, "request JSON parse error";
        AccountOrSigError = 60004, Final, "identifier or UserSig in the URL or body is wrong";
        AccountOrSigErrorAlt = 60005, Final, "identifier or UserSig in the URL or body is wrong";
        SdkAppIdInvalid = 60006, Final, "SDKAppID invalid";
        RestFrequencyLimit = 60007, Throttled, "REST API call frequency exceeds the limit";
        ServiceTimeout = 60008, TimedOut, "service timeout or bad HTTP format, check and retry";
        ResourceError = 60009, Final, "request resource error, check the URL";
        NotAdmin = 60010, Final, "identifier must be an App admin";
        SdkAppIdFrequencyLimit = 60011, Throttled, "SDKAppID request frequency exceeds the limit";
        SdkAppIdMissing = 60012, Final, "SDKAppID missing in the URL";
        ResponseJsonParseError = 60013, Retryable, "HTTP response JSON parse error";
        AccountExchangeTimeout = 60014, TimedOut, "account exchange timeout";
        IdentifierTypeError = 60015, Final, "identifier in the body has the wrong type";
        SdkAppIdDisabled = 60016, Final, "SDKAppID disabled";
        RequestDisabled = 60017, Final, "request disabled";
        TooFrequent = 60018, Throttled, "request too frequent, retry later";
        TooFrequentAlt = 60019, Throttled, "request too frequent, retry later";
        PackageExpired = 60020, Final, "package not purchased or expired";
        IpNotAllowed = 60021, Final, "source IP of the REST call not allowed";
        UserSigExpired = 70001, Final, "UserSig expired, generate a new one";
        UserSigEmpty = 70002, Final, "UserSig length is 0";
        UserSigMalformed = 70003, Final, "UserSig check failed (malformed or truncated)";
        UserSigCheckFailed = 70005, Final, "UserSig check failed";
        UserSigKeyMismatch = 70009, Final, "UserSig verification with the key failed";
        UserSigIdentifierMismatch = 70013, Final, "identifier in the request differs from the UserSig's";
        UserSigSdkAppIdMismatch = 70014, Final, "SDKAppID in the request differs from the UserSig's";
        VerificationKeyNotFound = 70016, Final, "key for verification not found";
        SdkAppIdNotFound = 70020, Final, "SDKAppID not found";
        TooManyFailedChecks = 70050, Final, "too many failed UserSig checks, blocked for 1 minute";
        AccountBlacklisted = 70051, Final, "account blacklisted";
        UserSigInvalidated = 70052, Final, "UserSig invalidated, generate a new one";
        AccountNotFound = 70107, Final, "account does not exist";
        SecurityRestricted = 70114, Final, "restricted for security reasons";
        InternalTimeout = 70169, TimedOut, "internal timeout, retry";
        InvalidBatchCount = 70206, Final, "invalid batch count";
        AccountLimit = 70398, Final, "account count exceeds the free-tier limit";
        InvalidParameters = 70402, Final, "invalid parameters";
        AdminRequired = 70403, Final, "App admin required";
        InternalError = 70500, Retryable, "internal error, retry";
        TextSecurityHit = 80001, Final, "text security check hit";
        MessageTooLong = 80002, Final, "message body too long";
        LiveInternalError = 100001, Retryable, "internal server error, please retry";
        InvalidParameter = 100002, Final, "invalid parameter, see ErrorInfo";
        RoomIdExists = 100003, Final, "room ID already exists";
        RoomNotFound = 100004, Final, "room does not exist or was dissolved";
        NotRoomMember = 100005, Final, "not a room member";
        NoPermission = 100006, Final, "no permission to operate the room or its metadata";
        NoPackage = 100007, Final, "no payment information, buy a package";
        RoomFull = 100008, Final, "room members full";
        TagLimit = 100009, Final, "tag count over the limit";
        RoomIdOwnedByYou = 100010, Final, "room ID in use, and the operator is its owner";
        RoomIdUsedByGroup = 100011, Final, "room ID occupied by an IM group";
        LiveFrequencyLimit = 100012, Throttled, "operation frequency over the limit";
        PackageLimit = 100013, Final, "over the paid package limit";
        InvalidRoomType = 100015, Final, "invalid room type";
        MemberBanned = 100016, Final, "member banned";
        MemberMuted = 100017, Final, "member muted";
        PasswordRequired = 100018, Final, "password required";
        WrongPassword = 100019, Final, "wrong password";
        AdminLimit = 100020, Final, "admin count over the limit";
        MetadataKeyCountExceeded = 100500, Final, "number of metadata keys exceeds the limit of 10";
        MetadataValueTooLarge = 100501, Final, "a metadata value exceeds the limit of 2 KB";
        MetadataTotalTooLarge = 100502, Final, "total size of metadata values exceeds 16 KB";
        MetadataKeysNotFound = 100503, Final, "none of the keys to delete exist";
        MetadataKeyTooLong = 100504, Final, "metadata key exceeds the byte limit";
    }
}

/// A vendor code of either vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiCode {
    /// A RongCloud / Nexconn code.
    RongCloud(RongCloudCode),
    /// A Tencent code.
    Tencent(TencentCode),
}

impl ApiCode {
    /// The numeric code.
    pub const fn code(self) -> i64 {
        match self {
            Self::RongCloud(c) => c.code(),
            Self::Tencent(c) => c.code(),
        }
    }

    /// How this code should be handled.
    pub const fn class(self) -> CodeClass {
        match self {
            Self::RongCloud(c) => c.class(),
            Self::Tencent(c) => c.class(),
        }
    }

    /// The vendor's meaning of this code.
    pub const fn description(self) -> &'static str {
        match self {
            Self::RongCloud(c) => c.description(),
            Self::Tencent(c) => c.description(),
        }
    }

    const fn vendor(self) -> &'static str {
        match self {
            Self::RongCloud(_) => "RongCloud",
            Self::Tencent(_) => "Tencent",
        }
    }
}

/// An error answer from a vendor: its code, its message, the HTTP status it came with and the
/// request id that identifies it in the vendor's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The vendor code.
    pub code: ApiCode,
    /// The vendor's message (`errorMessage` or `ErrorInfo`), verbatim.
    pub message: String,
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The request id (`X-Request-ID` echo for RongCloud, `RequestId` for Tencent), when known.
    pub request_id: Option<String>,
}

impl ApiError {
    /// A RongCloud error.
    pub fn rongcloud(code: RongCloudCode, message: impl Into<String>, http_status: u16) -> Self {
        Self {
            code: ApiCode::RongCloud(code),
            message: message.into(),
            http_status,
            request_id: None,
        }
    }

    /// A Tencent error (Tencent answers business errors with HTTP 200).
    pub fn tencent(code: TencentCode, message: impl Into<String>) -> Self {
        Self {
            code: ApiCode::Tencent(code),
            message: message.into(),
            http_status: 200,
            request_id: None,
        }
    }

    /// The same error with a request id.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// How this error should be handled.
    pub fn class(&self) -> CodeClass {
        // HTTP 429 means throttled whatever the body says.
        if self.http_status == 429 {
            CodeClass::Throttled
        } else {
            self.code.class()
        }
    }

    /// True when the server refused without processing because of a quota.
    pub fn is_throttled(&self) -> bool {
        self.class() == CodeClass::Throttled
    }

    /// True when retrying may succeed (throttled or transient).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            CodeClass::Throttled | CodeClass::Retryable | CodeClass::TimedOut
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} error {} ({})",
            self.code.vendor(),
            self.code.code(),
            self.code.description()
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, " [HTTP {}", self.http_status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        f.write_str("]")
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips_and_unknown_codes_survive() {
        for &code in RongCloudCode::ALL {
            assert_eq!(RongCloudCode::from_code(code.code()), code);
        }
        for &code in TencentCode::ALL {
            assert_eq!(TencentCode::from_code(code.code()), code);
        }
        assert_eq!(RongCloudCode::from_code(4242), RongCloudCode::Other(4242));
        assert_eq!(TencentCode::from_code(-7).code(), -7);
    }

    #[test]
    fn classification_follows_the_spec() {
        assert_eq!(RongCloudCode::RateLimited.class(), CodeClass::Throttled);
        for c in [60007, 60011, 60018, 60019, 100012] {
            assert_eq!(
                TencentCode::from_code(c).class(),
                CodeClass::Throttled,
                "{c}"
            );
        }
        assert_eq!(TencentCode::LiveInternalError.class(), CodeClass::Retryable);
        assert_eq!(RongCloudCode::InternalError.class(), CodeClass::Retryable);
        for c in [60008, 60014, 70169] {
            assert_eq!(
                TencentCode::from_code(c).class(),
                CodeClass::TimedOut,
                "{c}"
            );
        }
        assert_eq!(RongCloudCode::InternalTimeout.class(), CodeClass::TimedOut);
        assert!(ApiError::rongcloud(RongCloudCode::InternalTimeout, "", 200).is_retryable());
        assert_eq!(TencentCode::MetadataKeysNotFound.class(), CodeClass::Final);
        let throttled_by_status = ApiError::rongcloud(RongCloudCode::Other(9999), "", 429);
        assert!(throttled_by_status.is_throttled());
    }

    #[test]
    fn display_names_code_message_status_and_request_id() {
        let err = ApiError::rongcloud(RongCloudCode::SignatureError, "bad signature", 401)
            .with_request_id("r-1");
        assert_eq!(
            err.to_string(),
            "RongCloud error 1004 (signature error, check the App Key and App Secret): bad signature [HTTP 401, request id r-1]"
        );
    }
}
