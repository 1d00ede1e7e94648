/**
 * Child element order of the parts of a mail add-in manifest, taken from the `xs:sequence`
 * definitions in Microsoft's schemas (OfficeAppManifestV1_1.xsd, MailAppVersionOverridesV1_0.xsd
 * and MailAppVersionOverridesV1_1.xsd in OfficeDev/office-js-docs-pr) and the VersionOverrides
 * reference pages on learn.microsoft.com. Outlook rejects a manifest whose children are out of
 * this order, with the same error as for an unknown child.
 *
 * Keys are `Element` or `Element[xsi:type]`; each value lists the allowed children in order.
 */
export const ELEMENT_ORDER: Readonly<Record<string, readonly string[]>> = {
  // OfficeApp's own sequence, followed by the MailApp extension from Requirements on.
  'OfficeApp[MailApp]': [
    'Id',
    'AlternateId',
    'Version',
    'ProviderName',
    'DefaultLocale',
    'DisplayName',
    'Description',
    'IconUrl',
    'HighResolutionIconUrl',
    'SupportUrl',
    'AppDomains',
    'Hosts',
    'Requirements',
    'FormSettings',
    'Permissions',
    'Rule',
    'DisableEntityHighlighting',
    'VersionOverrides',
  ],
  'VersionOverrides[VersionOverridesV1_0]': [
    'Description',
    'Requirements',
    'Hosts',
    'Resources',
    'VersionOverrides',
    'WebApplicationInfo',
  ],
  'VersionOverrides[VersionOverridesV1_1]': [
    'Description',
    'Requirements',
    'Hosts',
    'Resources',
    'EquivalentAddins',
    'VersionOverrides',
    'WebApplicationInfo',
    'ExtendedPermissions',
  ],
  'Host[MailHost]': ['Runtimes', 'DesktopFormFactor', 'MobileFormFactor'],
  DesktopFormFactor: ['SupportsSharedFolders', 'FunctionFile', 'ExtensionPoint'],
  'ExtensionPoint[MessageReadCommandSurface]': ['OfficeTab', 'CustomTab'],
  'ExtensionPoint[MessageComposeCommandSurface]': ['OfficeTab', 'CustomTab'],
  'ExtensionPoint[LaunchEvent]': ['LaunchEvents', 'SourceLocation'],
  Group: ['Label', 'Control'],
  'Control[Button]': ['Label', 'Supertip', 'Icon', 'Action'],
  Supertip: ['Title', 'Description'],
  'Action[ShowTaskpane]': ['SourceLocation', 'SupportsPinning'],
  Resources: ['Images', 'Urls', 'ShortStrings', 'LongStrings'],
};
