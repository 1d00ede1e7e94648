/** Creates the Office.js enumerations that Worklink reads, with the string values Office.js uses. */
export function createEnums() {
  return {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Text: 'text', Html: 'html' },
    EventType: {
      ItemChanged: 'olkItemSelectedChanged',
      RecipientsChanged: 'olkRecipientsChanged',
      InitializationContextChanged: 'olkInitializationContextChanged',
    },
    HostType: { Outlook: 'Outlook' },
    PlatformType: { OfficeOnline: 'OfficeOnline' },
    MailboxEnums: {
      ItemType: { Message: 'message', Appointment: 'appointment' },
      RecipientType: {
        DistributionList: 'distributionList',
        User: 'user',
        ExternalUser: 'externalUser',
        Other: 'other',
      },
      ItemNotificationMessageType: {
        ProgressIndicator: 'progressIndicator',
        InformationalMessage: 'informationalMessage',
        ErrorMessage: 'errorMessage',
        InsightMessage: 'insightMessage',
      },
      SendModeOverride: { PromptUser: 'promptUser' },
    },
  };
}
