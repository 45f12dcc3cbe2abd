//! The kinds of supporting documents the programme asks for, and whose each can be (PROGRAMME.md
//! lines 34-35, 97, 112-113): a closed list the rulebook names per stage and the documents on
//! record carry.

use crate::codes::code_enum;

code_enum! {
    /// Whose document it is.
    DocumentOwner, "owner" {
        /// A person (beneficiary).
        Person = "person",
        /// A mentor.
        Mentor = "mentor",
        /// A host organisation.
        HostOrg = "host_org",
    }
}

code_enum! {
    /// What a document proves (PROGRAMME.md lines 34-35, 112-113, 97).
    DocumentKind, "document" {
        /// Unemployment status.
        UnemploymentStatus = "unemployment_status",
        /// Pension or benefit payments.
        PensionPayments = "pension_payments",
        /// Disability.
        Disability = "disability",
        /// Income.
        Income = "income",
        /// Family composition.
        FamilyComposition = "family_composition",
        /// Address, from a Public Service Centre.
        AddressCertificate = "address_certificate",
        /// No criminal record.
        NoCriminalRecord = "no_criminal_record",
        /// From the psychiatric dispensary.
        PsychiatricDispensary = "psychiatric_dispensary",
        /// From the narcological dispensary.
        NarcologicalDispensary = "narcological_dispensary",
        /// Recommendation letter from the employer.
        EmployerRecommendation = "employer_recommendation",
        /// The organisation's charter.
        Charter = "charter",
        /// Certificate of state registration.
        StateRegistration = "state_registration",
        /// No tax debts.
        NoTaxDebts = "no_tax_debts",
        /// Orders appointing the head and the accountant.
        HeadAndAccountant = "head_and_accountant",
        /// Record of social projects with young people.
        SocialProjectsExperience = "social_projects_experience",
        /// Anything else.
        Other = "other",
    }
}

impl DocumentKind {
    /// Whose document this kind can be.
    pub fn owners(self) -> &'static [DocumentOwner] {
        use DocumentKind::*;
        match self {
            UnemploymentStatus | PensionPayments | Disability | Income | FamilyComposition => {
                &[DocumentOwner::Person]
            }
            AddressCertificate
            | NoCriminalRecord
            | PsychiatricDispensary
            | NarcologicalDispensary
            | EmployerRecommendation => &[DocumentOwner::Mentor],
            Charter | StateRegistration | NoTaxDebts | HeadAndAccountant | SocialProjectsExperience => {
                &[DocumentOwner::HostOrg]
            }
            Other => &[DocumentOwner::Person, DocumentOwner::Mentor, DocumentOwner::HostOrg],
        }
    }
}

impl DocumentOwner {
    /// The kinds of document this owner may have, in the list's order.
    pub fn document_kinds(self) -> Vec<DocumentKind> {
        DocumentKind::ALL.iter().copied().filter(|k| k.owners().contains(&self)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_owner_is_offered_its_own_kinds_and_other() {
        let mentor = DocumentOwner::Mentor.document_kinds();
        assert!(mentor.contains(&DocumentKind::NoCriminalRecord) && mentor.contains(&DocumentKind::Other));
        assert!(!mentor.contains(&DocumentKind::Charter) && !mentor.contains(&DocumentKind::Income));
        assert_eq!(DocumentOwner::HostOrg.document_kinds().len(), 6);
    }
}
