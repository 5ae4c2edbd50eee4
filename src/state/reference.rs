//! The reference chooser (R): the forms a reference to the selected secret can be copied in,
//! each with its full text, and which one the cursor is on.

use crate::config::{Profile, VaultLocation};
use crate::reference::{app_service_reference, kv_reference, versionless_id};

/// A form of reference, named for where it is pasted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceForm {
    /// `kv://PROFILE/NAME`.
    Kv,
    /// `https://VAULT/secrets/NAME`.
    SecretId,
    /// `@Microsoft.KeyVault(SecretUri=https://VAULT/secrets/NAME/)`.
    AppService,
}

impl ReferenceForm {
    /// What reads this form.
    pub fn used_by(self) -> &'static str {
        match self {
            Self::Kv => "kvtui run/read/inject",
            Self::SecretId => "SDKs, az",
            Self::AppService => "App Service / Functions settings",
        }
    }

    /// The form as the status line and the operations log name what was copied.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Kv => "reference",
            Self::SecretId => "versionless id",
            Self::AppService => "App Service reference",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceChoice {
    pub form: ReferenceForm,
    /// Exactly what is copied.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceChooser {
    pub name: String,
    pub choices: Vec<ReferenceChoice>,
    pub cursor: usize,
}

impl ReferenceChooser {
    /// The references to `name`'s latest version in `profile`. The embedded local vault's URL is
    /// a loopback port chosen at each start, so only the profile's name reaches it next time.
    pub fn new(profile: &Profile, name: &str) -> Self {
        let mut choices = vec![ReferenceChoice {
            form: ReferenceForm::Kv,
            text: kv_reference(&profile.name, name),
        }];
        if let VaultLocation::Url(url) = &profile.vault {
            choices.push(ReferenceChoice {
                form: ReferenceForm::SecretId,
                text: versionless_id(url, name),
            });
            choices.push(ReferenceChoice {
                form: ReferenceForm::AppService,
                text: app_service_reference(url, name),
            });
        }
        Self {
            name: name.to_owned(),
            choices,
            cursor: 0,
        }
    }

    pub fn chosen(&self) -> &ReferenceChoice {
        &self.choices[self.cursor]
    }
}
